package io.finetide.training.runs;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.metrics.TemperatureScaling;

/**
 * Calibrates a trained classifier: the temperature that makes its probabilities on the validation split most likely
 * (the split chose the epoch too, but a single scalar barely overfits it). Fine-tuned Transformers are over-confident;
 * a labeling queue ranked by uncertainty and a user reading a probability both need the calibrated figure.
 */
final class TemperatureFit {

    private TemperatureFit() {
    }

    /**
     * The bundle with its fitted temperature in its metadata; unchanged for a tagging model or without validation
     * examples (temperature 1).
     */
    static ModelBundle calibrated(ModelBundle bundle, RunData data, int threads) {
        if (!(data.examples() instanceof RunData.Classified validation) || validation.validationCount() == 0) {
            return bundle;
        }
        float[][] probabilities;
        try (Classifier classifier = Classifier.load(bundle, threads)) {
            probabilities = validation.uncalibratedValidationProbabilities(classifier);
        }
        double[][] logits = new double[probabilities.length][];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = TemperatureScaling.logits(probabilities[i]);
        }
        double t = TemperatureScaling.fit(logits, validation.validationLabels());
        return bundle.withMetadata(ModelBundle.TEMPERATURE, t);
    }
}
