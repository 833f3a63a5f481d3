package io.finetide.model.infer;

import java.util.ArrayList;
import java.util.List;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.metrics.EntityF1;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * Serves a token-classification bundle: tags pre-split words (each word's tag is read at its first word piece; a text
 * longer than the model reads is read in overlapping windows, so no word goes untagged; a word without pieces is
 * tagged O with confidence 0) and reads the entities off the tags. Thread-safe as
 * {@link Classifier}.
 */
public final class Tagger implements AutoCloseable {

    /**
     * @param tags        one BIO tag per word
     * @param confidences the probability of each word's tag (0 for a word without pieces)
     * @param entities    the tagged spans, [start, end) in words
     */
    public record Tagged(List<String> words, List<String> tags, float[] confidences, List<EntityF1.Chunk> entities) {
    }

    private final LoadedBundle model;

    private Tagger(LoadedBundle model) {
        this.model = model;
    }

    public static Tagger load(ModelBundle bundle, int threads) {
        if (!bundle.config().tokenClassification()) {
            throw new IllegalArgumentException("not a token-classification model (head " + bundle.config().head()
                    + ")");
        }
        return new Tagger(LoadedBundle.of(bundle, threads));
    }

    public List<Tagged> tag(List<List<String>> sentences) {
        List<float[][]> probabilities = wordProbabilities(sentences);
        List<Tagged> out = new ArrayList<>(sentences.size());
        for (int i = 0; i < sentences.size(); i++) {
            float[][] perWord = probabilities.get(i);
            List<String> tags = Predictor.argMaxTags(perWord, model.bundle().labels());
            float[] confidences = new float[perWord.length];
            for (int w = 0; w < perWord.length; w++) {
                confidences[w] = perWord[w] == null ? 0f : perWord[w][Predictor.argMax(perWord[w])];
            }
            out.add(new Tagged(List.copyOf(sentences.get(i)), tags, confidences, EntityF1.chunks(tags)));
        }
        return out;
    }

    /**
     * Each word's tag probabilities as the network gives them (before any calibration), a text longer than the model
     * reads in overlapping windows ({@link io.finetide.model.tokenizer.WordWindows}): null only for a word without
     * pieces. What a student tagger learns from its teacher.
     */
    public List<float[][]> wordProbabilities(List<List<String>> sentences) {
        Tokenizer tokenizer = model.tokenizer();
        return Predictor.wordProbabilitiesInWindows(model.graph(), sentences.stream().map(
                tokenizer::encodeWordsWhole).toList(), tokenizer.padId(), model.maxLength());
    }

    public ModelBundle bundle() {
        return model.bundle();
    }

    @Override
    public void close() {
        model.close();
    }
}
