package io.finetide.model.explain;

import java.util.ArrayList;
import java.util.List;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.LoadedBundle;
import io.finetide.model.infer.Predictor;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Weights;

/**
 * Explains a classifier's or tagger's answer: per-word attributions by integrated gradients for the predicted label
 * (or a named one), word pieces summed into their words. Its graph differentiates, so it is kept apart from the
 * serving graph and built only when explanations are asked for. Thread-safe like a serving session.
 */
public final class Explainer implements AutoCloseable {

    /** A word and how much it pushed the explained probability up (positive) or down. */
    public record WordAttribution(String word, double attribution) {
    }

    /**
     * @param label       the explained label
     * @param word        for a tagger, the explained word's index; -1 for a classifier
     * @param probability the label's probability on the input (before calibration)
     * @param baseline    its probability on the all-padding baseline
     */
    public record Explanation(String label, int word, double probability, double baseline, double completenessGap,
            int steps, List<WordAttribution> words) {
    }

    private final LoadedBundle model;
    private final ModelBundle bundle;
    private final Tokenizer tokenizer;
    private final TransformerGraph graph;
    private final Weights.Tensor embeddings;

    private Explainer(LoadedBundle model) {
        this.model = model;
        this.bundle = model.bundle();
        this.tokenizer = model.tokenizer();
        this.graph = model.graph();
        this.embeddings = bundle.weights().get(ParamSpec.WORD_EMBEDDINGS);
    }

    /** @throws IllegalArgumentException for a model that has no head to attribute (a text-to-text classifier) */
    public static Explainer load(ModelBundle bundle, int threads) {
        if (bundle.config().encoderDecoder()) {
            // Its classes are label words the decoder writes: a gradient per class is not what it computes.
            throw new IllegalArgumentException("a text-to-text model is not explained: explanations attribute a "
                    + "classifier head's or a tagger's scores to the words");
        }
        return new Explainer(LoadedBundle.of(bundle, GraphOptions.explaining(threads)));
    }

    public ModelBundle bundle() {
        return bundle;
    }

    /**
     * @param words the text's words (a classifier's text split on whitespace)
     * @param label the label to explain, or null for the predicted one
     * @param word  a tagger's word to explain (its first piece's label); ignored for a classifier
     * @throws IllegalArgumentException for an unknown label, a word out of range, or no words
     */
    public Explanation explain(List<String> words, String label, int word, int steps) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("nothing to explain: no words");
        }
        boolean tokens = bundle.config().perPosition();
        Tokenizer.Words encoded = tokenizer.encodeWords(words);
        int[] ids = encoded.ids();
        int[] wordIds = encoded.wordIds();
        int position = -1;
        if (tokens) {
            for (int t = 0; t < ids.length && position < 0; t++) {
                if (wordIds[t] == word) {
                    position = t;
                }
            }
            if (position < 0) {
                throw new IllegalArgumentException("word " + word + " is not among the " + encoded.count()
                        + " words the model reads");
            }
        }
        int maxLength = model.maxLength();
        boolean[] special = new boolean[ids.length];
        for (int t = 0; t < ids.length; t++) {
            special[t] = wordIds[t] < 0;
        }
        int target;
        if (label == null || label.isEmpty()) {
            target = Predictor.argMax(probabilities(ids, position, maxLength));
        } else {
            target = bundle.labels().indexOf(label);
            if (target < 0) {
                throw new IllegalArgumentException("label '" + label + "' is not one of " + bundle.labels());
            }
        }
        IntegratedGradients.Result r = IntegratedGradients.explain(graph, embeddings, tokenizer.padId(), maxLength,
                ids, special, position, target, steps);
        double[] perWord = new double[encoded.count()];
        for (int t = 0; t < ids.length; t++) {
            if (wordIds[t] >= 0) {
                perWord[wordIds[t]] += r.attributions()[t];
            }
        }
        List<WordAttribution> out = new ArrayList<>();
        for (int w = 0; w < perWord.length; w++) {
            out.add(new WordAttribution(words.get(w), perWord[w]));
        }
        return new Explanation(bundle.labels().get(target), tokens ? word : -1, r.probability(), r.baseline(), r
                .completenessGap(), r.steps(), out);
    }

    /** The input's probabilities over every label (at the explained position for a tagger). */
    private float[] probabilities(int[] ids, int position, int maxLength) {
        Batch batch = Batch.of(new int[][]{ids}, tokenizer.padId(), Batch.PAD_MULTIPLE, maxLength);
        return position >= 0 ? graph.predictTokens(batch)[0][position] : graph.predict(batch)[0];
    }

    @Override
    public void close() {
        model.close();
    }
}
