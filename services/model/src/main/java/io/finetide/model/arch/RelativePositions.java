package io.finetide.model.arch;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.layers.Layers;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;

/** T5's relative position bias: a learned bias per head and bucket of the distance between query and key. */
public final class RelativePositions {

    private RelativePositions() {
    }

    /**
     * [1, heads, queries, keys] for {@code stack}. Distances below half the buckets (of each direction) have a bucket
     * each; longer ones share logarithmically wider buckets up to the maximum distance. Computed in float32 as Hugging
     * Face does, so the buckets agree at their edges.
     */
    static Operand<TFloat32> bias(Layers layers, String stack, Operand<TInt32> queries, Operand<TInt32> keys,
            boolean bidirectional) {
        return bias(layers, stack, layers.tf().constant(0), queries, keys, bidirectional);
    }

    /**
     * The same for queries at positions {@code firstQuery} onwards (new tokens after a cached prefix) over keys at 0
     * onwards.
     */
    public static Operand<TFloat32> bias(Layers layers, String stack, Operand<TInt32> firstQuery,
            Operand<TInt32> queries, Operand<TInt32> keys, boolean bidirectional) {
        Ops tf = layers.tf();
        TransformerConfig config = layers.config();
        Operand<TInt32> q = tf.expandDims(tf.range(firstQuery, tf.math.add(firstQuery, queries), tf.constant(1)), tf
                .constant(1));
        Operand<TInt32> k = tf.expandDims(tf.range(tf.constant(0), keys, tf.constant(1)), tf.constant(0));
        Operand<TInt32> relative = tf.math.sub(k, q);
        int buckets = config.relativeBuckets();
        Operand<TInt32> bucket = tf.constant(0);
        if (bidirectional) {
            buckets /= 2;
            bucket = tf.math.mul(tf.dtypes.cast(tf.math.greater(relative, tf.constant(0)), TInt32.class), tf.constant(
                    buckets));
            relative = tf.math.abs(relative);
        } else {
            relative = tf.math.neg(tf.math.minimum(relative, tf.constant(0)));
        }
        int maxExact = buckets / 2;
        // The logarithm only matters from maxExact on; clamping below keeps log(0) out of the discarded branch.
        Operand<TFloat32> far = tf.dtypes.cast(tf.math.maximum(relative, tf.constant(maxExact)), TFloat32.class);
        Operand<TFloat32> scaled = tf.math.mul(tf.math.div(tf.math.log(tf.math.div(far, tf.constant(
                (float) maxExact))), tf.constant((float) Math.log(config.relativeMaxDistance() / (double) maxExact))),
                tf.constant((float) (buckets - maxExact)));
        Operand<TInt32> large = tf.math.minimum(tf.math.add(tf.constant(maxExact), tf.dtypes.cast(scaled,
                TInt32.class)), tf.constant(buckets - 1));
        bucket = tf.math.add(bucket, tf.select(tf.math.less(relative, tf.constant(maxExact)), relative, large));
        Operand<TFloat32> values = tf.gather(layers.param(ParamSpec.block(stack, 0) + ParamSpec.RELATIVE_BIAS), bucket,
                tf.constant(0));
        return tf.expandDims(tf.linalg.transpose(values, tf.constant(new int[]{2, 0, 1})), tf.constant(0));
    }
}
