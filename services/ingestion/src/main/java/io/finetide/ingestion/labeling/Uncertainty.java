package io.finetide.ingestion.labeling;

import java.util.Locale;

/** How unsure a model is about one prediction; larger means less sure. Inputs are probability distributions. */
public enum Uncertainty {
    /** Shannon entropy in nats: highest when every label is equally likely. */
    ENTROPY {
        @Override
        public double of(float[] p) {
            double h = 0;
            for (float x : p) {
                if (x > 0) {
                    h -= x * Math.log(x);
                }
            }
            return h;
        }
    },
    /** One minus the gap between the two most probable labels: a near tie between two labels ranks first. */
    MARGIN {
        @Override
        public double of(float[] p) {
            double first = Double.NEGATIVE_INFINITY;
            double second = Double.NEGATIVE_INFINITY;
            for (float x : p) {
                if (x > first) {
                    second = first;
                    first = x;
                } else if (x > second) {
                    second = x;
                }
            }
            return p.length < 2 ? 0 : 1 - (first - second);
        }
    },
    /** One minus the top probability. */
    LEAST_CONFIDENCE {
        @Override
        public double of(float[] p) {
            double top = 0;
            for (float x : p) {
                top = Math.max(top, x);
            }
            return 1 - top;
        }
    };

    public abstract double of(float[] probabilities);

    public static Uncertainty parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
