package io.finetide.model.metrics;

/**
 * McNemar's exact test on paired per-example correctness: of the examples where exactly one of two models is right,
 * is each as likely to be the one? Under that hypothesis the candidate's wins among the {@code n} discordant pairs are
 * Binomial(n, 1/2); the two-sided p-value is twice the smaller tail, capped at 1 (the mid-p and chi-squared variants are
 * not used: the exact form is right for the small counts of a golden set).
 *
 * @param candidateOnly examples only the candidate gets right
 * @param championOnly  examples only the champion gets right
 * @param pValue        two-sided exact p-value; 1 when the models never disagree
 */
public record McNemar(long candidateOnly, long championOnly, double pValue) {

    public static McNemar of(boolean[] candidateCorrect, boolean[] championCorrect) {
        if (candidateCorrect.length != championCorrect.length) {
            throw new IllegalArgumentException(candidateCorrect.length + " candidate outcomes but "
                    + championCorrect.length + " champion outcomes");
        }
        long b = 0;
        long c = 0;
        for (int i = 0; i < candidateCorrect.length; i++) {
            if (candidateCorrect[i] && !championCorrect[i]) {
                b++;
            } else if (!candidateCorrect[i] && championCorrect[i]) {
                c++;
            }
        }
        return new McNemar(b, c, pValue(b, c));
    }

    /** Twice P(X <= min(b, c)) for X ~ Binomial(b + c, 1/2), summed in log space so large counts do not underflow. */
    static double pValue(long b, long c) {
        long n = b + c;
        if (n == 0) {
            return 1.0;
        }
        long k = Math.min(b, c);
        double logHalfToN = n * Math.log(0.5);
        double logTerm = logHalfToN; // log C(n, 0) 0.5^n
        double max = logTerm;
        double[] logs = new double[(int) k + 1];
        logs[0] = logTerm;
        for (long i = 1; i <= k; i++) {
            logTerm += Math.log((double) (n - i + 1) / i);
            logs[(int) i] = logTerm;
            max = Math.max(max, logTerm);
        }
        double sum = 0;
        for (double l : logs) {
            sum += Math.exp(l - max);
        }
        return Math.min(1.0, 2 * Math.exp(max + Math.log(sum)));
    }
}
