package io.finetide.model.metrics;

/**
 * Temperature scaling (Guo et al., 2017): one scalar {@code T} that divides the logits before the softmax, fitted to
 * minimise the negative log-likelihood of held-out labels. It changes no prediction (the arg max stays), only how sure
 * the probabilities say the model is.
 */
public final class TemperatureScaling {

    /** The range searched, as log T: temperatures from about 0.05 to 20. */
    private static final double LOG_T_MIN = -3;
    private static final double LOG_T_MAX = 3;

    private TemperatureScaling() {
    }

    /**
     * The temperature that minimises the mean negative log-likelihood of {@code labels} under softmax(logits / T).
     * The likelihood is unimodal in log T for these problems; a golden-section search finds it to 1e-6.
     */
    public static double fit(double[][] logits, int[] labels) {
        if (logits.length != labels.length || logits.length == 0) {
            throw new IllegalArgumentException("need as many logit vectors as labels");
        }
        double phi = (Math.sqrt(5) - 1) / 2;
        double a = LOG_T_MIN;
        double b = LOG_T_MAX;
        double c = b - phi * (b - a);
        double d = a + phi * (b - a);
        double fc = nll(logits, labels, Math.exp(c));
        double fd = nll(logits, labels, Math.exp(d));
        while (b - a > 1e-6) {
            if (fc < fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - phi * (b - a);
                fc = nll(logits, labels, Math.exp(c));
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + phi * (b - a);
                fd = nll(logits, labels, Math.exp(d));
            }
        }
        return Math.exp((a + b) / 2);
    }

    /**
     * The probabilities softmax(logits / temperature) from probabilities softmax(logits): the log-probabilities are the
     * logits up to a constant, which the softmax removes. What serving applies to a model's output.
     */
    public static float[] rescale(float[] probabilities, double temperature) {
        if (temperature == 1.0) {
            return probabilities;
        }
        double[] logits = logits(probabilities);
        double[] p = probabilities(logits, temperature);
        float[] out = new float[p.length];
        for (int k = 0; k < p.length; k++) {
            out[k] = (float) p[k];
        }
        return out;
    }

    /** Log-probabilities as logits, a probability of 0 read as 1e-30 (a logit of about -69). */
    public static double[] logits(float[] probabilities) {
        double[] z = new double[probabilities.length];
        for (int k = 0; k < z.length; k++) {
            z[k] = Math.log(Math.max(1e-30, probabilities[k]));
        }
        return z;
    }

    /** softmax(logits / temperature), computed stably. */
    public static double[] probabilities(double[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (double z : logits) {
            max = Math.max(max, z / temperature);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int k = 0; k < logits.length; k++) {
            p[k] = Math.exp(logits[k] / temperature - max);
            sum += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    /** Mean negative log-likelihood of the labels at this temperature. */
    public static double nll(double[][] logits, int[] labels, double temperature) {
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double z : logits[i]) {
                max = Math.max(max, z / temperature);
            }
            double sum = 0;
            for (double z : logits[i]) {
                sum += Math.exp(z / temperature - max);
            }
            total += max + Math.log(sum) - logits[i][labels[i]] / temperature;
        }
        return total / logits.length;
    }
}
