package io.finetide.model.search;

/**
 * Where a numeric parameter is searched: its internal range (the logarithm of the user's for log scales; integers
 * widened by half a step each side so that every integer owns an interval of the same width) and back.
 */
record Scale(double low, double high, boolean log, boolean integer, int intLow, int intHigh) {

    static Scale of(Parameter p) {
        if (p instanceof Parameter.Continuous c) {
            return c.log()
                    ? new Scale(Math.log(c.low()), Math.log(c.high()), true, false, 0, 0)
                    : new Scale(c.low(), c.high(), false, false, 0, 0);
        }
        if (p instanceof Parameter.Discrete d) {
            return d.log()
                    ? new Scale(Math.log(d.low() - 0.5), Math.log(d.high() + 0.5), true, true, d.low(), d
                            .high())
                    : new Scale(d.low() - 0.5, d.high() + 0.5, false, true, d.low(), d.high());
        }
        throw new IllegalArgumentException(p.name() + " is categorical");
    }

    double toInternal(Object value) {
        double v = ((Number) value).doubleValue();
        return log ? Math.log(v) : v;
    }

    Object fromInternal(double x) {
        double v = log ? Math.exp(x) : x;
        if (integer) {
            return (int) Math.max(intLow, Math.min(intHigh, Math.round(v)));
        }
        double lo = log ? Math.exp(low) : low;
        double hi = log ? Math.exp(high) : high;
        return Math.max(lo, Math.min(hi, v));
    }
}
