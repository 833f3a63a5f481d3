package io.finetide.model.infer;

import java.util.ArrayList;
import java.util.List;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.metrics.TemperatureScaling;

/**
 * Serves a model bundle: tokenises, batches by length and returns probabilities. Thread-safe (TensorFlow sessions
 * accept concurrent runs); close it only when no call is in flight.
 */
public final class Classifier implements AutoCloseable {

    public record Prediction(String label, float confidence, float[] probabilities) {
    }

    private final LoadedBundle model;
    /** A text-to-text classifier's labels as it writes them; null for a classifier with a head. */
    private final LabelWords labelWords;

    private Classifier(LoadedBundle model) {
        this.model = model;
        try {
            this.labelWords = model.bundle().writesLabels()
                    ? LabelWords.of(model.tokenizer(), model.bundle().labels(), model.bundle().endOfText(), model
                            .bundle().decoderStart())
                    : null;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public static Classifier load(ModelBundle bundle, int threads) {
        return new Classifier(LoadedBundle.of(bundle, threads));
    }

    /** Calibrated probabilities: the bundle's temperature applied ({@link ModelBundle#temperature()}). */
    public float[][] probabilities(List<String> texts) {
        return calibrated(uncalibratedProbabilities(texts));
    }

    /** The probabilities as the network computes them, before the temperature. */
    public float[][] uncalibratedProbabilities(List<String> texts) {
        if (labelWords != null) {
            return labelWords.probabilities(model.graph(), model.tokenizer().encodeAll(texts), model.maxLength());
        }
        return Predictor.probabilities(model.graph(), model.tokenizer().encodeAll(texts), model.tokenizer().padId(),
                model.maxLength());
    }

    /** The bundle's temperature applied to probabilities this model computed. */
    public float[][] calibrated(float[][] uncalibrated) {
        double t = model.bundle().temperature();
        if (t == 1.0) {
            return uncalibrated;
        }
        float[][] out = new float[uncalibrated.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = TemperatureScaling.rescale(uncalibrated[i], t);
        }
        return out;
    }

    /** Probabilities for text pairs ({@code first.get(i)} with {@code second.get(i)}), for a model trained on pairs. */
    public float[][] pairProbabilities(List<String> first, List<String> second) {
        return calibrated(uncalibratedPairProbabilities(first, second));
    }

    /** {@link #pairProbabilities} before the temperature. */
    public float[][] uncalibratedPairProbabilities(List<String> first, List<String> second) {
        if (labelWords != null) {
            throw new IllegalArgumentException("a text-to-text classifier reads single texts");
        }
        if (first.size() != second.size()) {
            throw new IllegalArgumentException(first.size() + " first texts but " + second.size() + " second");
        }
        List<io.finetide.model.tokenizer.Tokenizer.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            pairs.add(model.tokenizer().encodePair(first.get(i), second.get(i)));
        }
        return Predictor.pairProbabilities(model.graph(), pairs, model.tokenizer().padId(), model.maxLength());
    }

    /** The best label of each text pair, with the calibrated distribution. */
    public List<Prediction> predictPairs(List<String> first, List<String> second) {
        return predictions(pairProbabilities(first, second));
    }

    public List<Prediction> predict(List<String> texts) {
        return predictions(probabilities(texts));
    }

    private List<Prediction> predictions(float[][] p) {
        List<Prediction> out = new ArrayList<>(p.length);
        for (float[] row : p) {
            int best = Predictor.argMax(row);
            out.add(new Prediction(model.bundle().labels().get(best), row[best], row));
        }
        return out;
    }

    public int[] predictIndices(List<String> texts) {
        float[][] p = probabilities(texts);
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Predictor.argMax(p[i]);
        }
        return out;
    }

    public ModelBundle bundle() {
        return model.bundle();
    }

    @Override
    public void close() {
        model.close();
    }
}
