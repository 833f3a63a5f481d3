package io.finetide.model.distill;

/** A teacher's class probabilities as a student learns them: softened by the distillation's temperature. */
public final class SoftLabels {

    private SoftLabels() {
    }

    /**
     * A distribution softened by {@code temperature}: the softmax of its log-probabilities divided by it, which is
     * what the softmax of the teacher's logits divided by it gives (the logits' shift cancels), so a teacher's served
     * probabilities are all a student needs.
     */
    public static float[] atTemperature(float[] probabilities, double temperature) {
        double[] scaled = new double[probabilities.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < scaled.length; k++) {
            scaled[k] = Math.log(Math.max(1e-30, probabilities[k])) / temperature;
            max = Math.max(max, scaled[k]);
        }
        double sum = 0;
        for (int k = 0; k < scaled.length; k++) {
            scaled[k] = Math.exp(scaled[k] - max);
            sum += scaled[k];
        }
        float[] out = new float[scaled.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) (scaled[k] / sum);
        }
        return out;
    }
}
