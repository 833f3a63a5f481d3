package io.finetide.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

import io.finetide.model.graph.CachedDecoder;
import io.finetide.model.graph.DecodingGraph;

/**
 * Continues a prompt with a decoder's language model, or writes the target of a source with an encoder-decoder's
 * ({@link CachedDecoder}, so each new token costs one cached step): greedy decoding, sampling, or beam search ({@link BeamSearch}). The end-of-text token ends a generation and
 * is left out of its tokens.
 */
public final class Generator {

    private Generator() {
    }

    public static Generation generate(CachedDecoder graph, int[] prompt, int endOfText, GenerationSettings settings,
            StopRule stop, TokenListener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
        if (prompt.length > graph.config().maxPositions()) {
            throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens is longer than the "
                    + graph.config().maxPositions() + " positions the model reads");
        }
        if (settings.decoding() == Decoding.BEAM) {
            return BeamSearch.run(graph, prompt, endOfText, settings, stop, listener);
        }
        SplittableRandom random = new SplittableRandom(settings.seed());
        int[] out = new int[settings.maxNewTokens()];
        int n = 0;
        double logProbability = 0;
        DecodingGraph.Step step = graph.start(new int[][]{prompt});
        try {
            while (true) {
                float[] logits = step.logits()[0];
                int next = settings.decoding() == Decoding.GREEDY
                        ? Distributions.argMax(logits)
                        : Distributions.draw(Distributions.filtered(logits, settings.temperature(), settings.topK(),
                                settings.topP()), random);
                logProbability += Distributions.logProbabilities(logits)[next];
                if (next == endOfText) {
                    return new Generation(Arrays.copyOf(out, n), Finish.END_OF_TEXT, logProbability);
                }
                out[n++] = next;
                listener.token(next);
                int[] so = Arrays.copyOf(out, n);
                if (stop.reached(so)) {
                    return new Generation(so, Finish.STOP, logProbability);
                }
                if (n == settings.maxNewTokens() || step.cache().length() >= graph.config().maxPositions()) {
                    return new Generation(so, Finish.LENGTH, logProbability);
                }
                DecodingGraph.Step following = graph.next(step.cache(), new int[]{0}, new int[]{next});
                step.cache().close();
                step = following;
            }
        } finally {
            step.cache().close();
        }
    }
}
