package io.finetide.evaluation.judging;

import java.util.List;

/**
 * What one model predicted for a list of examples: label indices with their probabilities (calibrated by the model's
 * temperature, and as the network computed them), or, for a tagging model, one tag per word.
 */
public record Predictions(int[] labels, float[][] probabilities, float[][] uncalibrated, List<List<String>> tags) {

    public static Predictions ofLabels(int[] labels, float[][] probabilities, float[][] uncalibrated) {
        return new Predictions(labels, probabilities, uncalibrated, null);
    }

    public static Predictions ofTags(List<List<String>> tags) {
        return new Predictions(null, null, null, tags);
    }

    public boolean tagging() {
        return tags != null;
    }

    public int size() {
        return tagging() ? tags.size() : labels.length;
    }

    /**
     * Example {@code i}'s output as words: the predicted label's name, or the tags; what a flip compares.
     */
    public List<String> output(int i, List<String> labelNames) {
        return tagging() ? tags.get(i) : List.of(labelNames.get(labels[i]));
    }
}
