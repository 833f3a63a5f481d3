package io.finetide.model.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Inverted dropout with the rate fed per run (0 at evaluation), so one graph serves both. Each mask is a stateless
 * function of the fed key and the op's index in building order: the same step draws the same masks in any session,
 * which is what makes a resumed run bit-identical. An inference graph has no dropout at all.
 */
public final class Dropout {

    /** Dropout ops per step; a step's random key is {@code step * KEYS_PER_STEP + op}. */
    public static final long KEYS_PER_STEP = 1 << 12;

    private final Ops tf;
    private final Placeholder<TFloat32> rate;
    private final Operand<TInt64> key;
    private long ops;

    private Dropout(Ops tf, Placeholder<TFloat32> rate, Operand<TInt64> key) {
        this.tf = tf;
        this.rate = rate;
        this.key = key;
    }

    /** Dropout fed through {@code rate} and {@code key}; {@code training} false builds none. */
    public static Dropout of(Ops tf, boolean training, Placeholder<TFloat32> rate, Operand<TInt64> key) {
        return new Dropout(training ? tf : null, rate, key);
    }

    public Operand<TFloat32> apply(Operand<TFloat32> x) {
        if (tf == null) {
            return x;
        }
        long op = ops++;
        if (op >= KEYS_PER_STEP) {
            throw new IllegalStateException("more than " + KEYS_PER_STEP + " dropout ops");
        }
        Operand<TInt64> opKey = tf.math.add(key, tf.constant(new long[]{0, op}));
        Operand<TFloat32> noise = tf.random.statelessRandomUniform(tf.shape(x), opKey, TFloat32.class);
        Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(noise, rate), TFloat32.class);
        return tf.math.div(tf.math.mul(x, keep), tf.math.sub(tf.constant(1f), rate));
    }
}
