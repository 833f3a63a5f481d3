package io.finetide.model.stats;

/** The softmax of logits in double precision, stable for any range (the largest logit subtracted first). */
public final class Softmax {

    private Softmax() {
    }

    /** log(sum(exp(logits))). */
    public static double logSumExp(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return max + Math.log(sum);
    }

    /** The log-probability of {@code token} under softmax(logits). */
    public static double logProbability(float[] logits, int token) {
        return logits[token] - logSumExp(logits);
    }
}
