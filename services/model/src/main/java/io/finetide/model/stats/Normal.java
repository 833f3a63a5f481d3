package io.finetide.model.stats;

/**
 * The standard normal distribution's CDF, its inverse and log density, which truncated Gaussians need, and the log of
 * the complementary error function, which the privacy accountant needs. Java has no
 * erf: the CDF uses W. J. Cody's rational approximations (as in Cody, "Rational Chebyshev approximations for the error
 * function", 1969; relative error below 1e-15), the inverse P. J. Acklam's algorithm refined by one Halley step.
 */
public final class Normal {

    public static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private Normal() {
    }

    public static double logPdf(double z) {
        return -0.5 * z * z - LOG_SQRT_2PI;
    }

    /** P(Z <= z). */
    public static double cdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /** The z with P(Z <= z) = p, for p in (0, 1). */
    public static double quantile(double p) {
        if (p <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p >= 1) {
            return Double.POSITIVE_INFINITY;
        }
        double q, r, x;
        if (p < 0.02425) {
            q = Math.sqrt(-2 * Math.log(p));
            x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                    / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        } else if (p <= 1 - 0.02425) {
            q = p - 0.5;
            r = q * q;
            x = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
                    / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
        } else {
            q = Math.sqrt(-2 * Math.log(1 - p));
            x = -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                    / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }
        // One Halley step brings Acklam's 1e-9 to full double precision.
        double e = cdf(x) - p;
        double u = e * Math.sqrt(2 * Math.PI) * Math.exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }

    /** The complementary error function, erfc(x) = 1 - erf(x). */
    public static double erfc(double x) {
        double ax = Math.abs(x);
        if (ax < 0.5) {
            return smallErfc(x);
        }
        // exp(-x^2) split as Cody does, so that large x keep their precision.
        double ysq = Math.floor(ax * 16) / 16;
        double del = (ax - ysq) * (ax + ysq);
        double result = Math.exp(-ysq * ysq) * Math.exp(-del) * scaledErfc(ax);
        return x < 0 ? 2 - result : result;
    }

    /**
     * log erfc(x), finite where erfc(x) itself underflows (x beyond 26): the privacy accountant's tail integrals need
     * it far out.
     */
    public static double logErfc(double x) {
        if (x < 0.5) {
            return Math.log(erfc(x));
        }
        return -x * x + Math.log(scaledErfc(x));
    }

    private static double smallErfc(double x) {
        double t = x * x;
        double top = (((ERF_A[4] * t + ERF_A[0]) * t + ERF_A[1]) * t + ERF_A[2]) * t + ERF_A[3];
        double bot = (((t + ERF_B[0]) * t + ERF_B[1]) * t + ERF_B[2]) * t + ERF_B[3];
        return 1 - x * top / bot;
    }

    /** exp(x^2) erfc(x) for x of at least 0.5, Cody's rational approximations. */
    private static double scaledErfc(double ax) {
        double result;
        if (ax < 4) {
            double top = ERF_C[8] * ax;
            double bot = ax;
            for (int i = 0; i < 7; i++) {
                top = (top + ERF_C[i]) * ax;
                bot = (bot + ERF_D[i]) * ax;
            }
            result = (top + ERF_C[7]) / (bot + ERF_D[7]);
        } else {
            double z = 1 / (ax * ax);
            double top = ERF_P[5] * z;
            double bot = z;
            for (int i = 0; i < 4; i++) {
                top = (top + ERF_P[i]) * z;
                bot = (bot + ERF_Q[i]) * z;
            }
            result = z * (top + ERF_P[4]) / (bot + ERF_Q[4]);
            result = (1 / Math.sqrt(Math.PI) - result) / ax;
        }
        return result;
    }

    private static final double[] A = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] B = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
    private static final double[] C = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] D = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00};

    private static final double[] ERF_A = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
            3.20937758913846947e03, 1.85777706184603153e-1};
    private static final double[] ERF_B = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
            2.84423683343917062e03};
    private static final double[] ERF_C = {5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
            2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03,
            1.23033935479799725e03, 2.15311535474403846e-8};
    private static final double[] ERF_D = {1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
            1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03,
            1.23033935480374942e03};
    private static final double[] ERF_P = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
            1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
    private static final double[] ERF_Q = {2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
            6.05183413124413191e-2, 2.33520497626869185e-3};
}
