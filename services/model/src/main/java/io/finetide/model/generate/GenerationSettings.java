package io.finetide.model.generate;

/**
 * How to generate: the decoding, the most new tokens, a beam's width and length penalty (the score is the
 * log-probability divided by length to this power, as Hugging Face's), and sampling's temperature, top-k (0: all
 * tokens), top-p (1: all) and seed (one seed, one output).
 */
public record GenerationSettings(Decoding decoding, int maxNewTokens, int beamWidth, double lengthPenalty,
        double temperature, int topK, double topP, long seed) {

    public GenerationSettings {
        if (decoding == null) {
            throw new IllegalArgumentException("decoding is required");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1");
        }
        if (beamWidth < 1) {
            throw new IllegalArgumentException("beamWidth must be at least 1");
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be above 0");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be 0 (all tokens) or more");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1]");
        }
        if (!Double.isFinite(lengthPenalty)) {
            throw new IllegalArgumentException("lengthPenalty must be finite");
        }
    }

    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(Decoding.GREEDY, maxNewTokens, 1, 1.0, 1.0, 0, 1.0, 0);
    }

    public static GenerationSettings beam(int width, int maxNewTokens) {
        return new GenerationSettings(Decoding.BEAM, maxNewTokens, width, 1.0, 1.0, 0, 1.0, 0);
    }

    public static GenerationSettings sampling(double temperature, int topK, double topP, long seed,
            int maxNewTokens) {
        return new GenerationSettings(Decoding.SAMPLING, maxNewTokens, 1, 1.0, temperature, topK, topP, seed);
    }
}
