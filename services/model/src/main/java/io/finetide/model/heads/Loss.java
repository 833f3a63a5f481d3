package io.finetide.model.heads;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The training loss of a head: cross-entropy with label smoothing, each counted position weighted by its label's class
 * weight (1 without weights), as a weighted mean. A label below 0 marks a position without one (padding, special
 * tokens, later word pieces of a word): it weighs nothing.
 *
 * @param loss   the weighted mean cross-entropy
 * @param weight the summed weight of the batch's labelled positions (what gradient accumulation weighs a micro-batch
 *               by)
 * @param perRow each row's cross-entropy without class weights (0 for an unlabelled row): what DP-SGD's ghost
 *               clipping weighs example by example, as its micro-batches of one do (a class weight divides out of a
 *               batch of one)
 */
public record Loss(Operand<TFloat32> loss, Operand<TFloat32> weight, Operand<TFloat32> perRow) {

    /**
     * @param labels       a label per example, or per position, flattened as the logits' rows
     * @param classWeights the weight of each label, or null for equal weights
     */
    public static Loss of(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels, int numLabels,
            double labelSmoothing, float[] classWeights) {
        float smoothing = (float) labelSmoothing;
        Operand<TInt32> safe = tf.math.maximum(labels, tf.constant(0));
        Operand<TFloat32> valid = tf.dtypes.cast(tf.math.greaterEqual(labels, tf.constant(0)), TFloat32.class);
        Operand<TFloat32> target = tf.oneHot(safe, tf.constant(numLabels), tf.constant(1f - smoothing + smoothing
                / numLabels), tf.constant(smoothing / numLabels));
        Operand<TFloat32> logp = tf.nn.logSoftmax(logits);
        Operand<TFloat32> perExample = tf.math.neg(tf.sum(tf.math.mul(target, logp), tf.constant(1)));
        Operand<TFloat32> w = valid;
        if (classWeights != null) {
            if (classWeights.length != numLabels) {
                throw new IllegalArgumentException(classWeights.length + " class weights for " + numLabels
                        + " labels");
            }
            // A weighted mean: a batch of one rare label is not scaled up as a whole, only relative to the others.
            w = tf.math.mul(tf.gather(tf.constant(classWeights), safe, tf.constant(0)), valid);
        }
        Operand<TFloat32> weight = tf.sum(w, tf.constant(0));
        Operand<TFloat32> loss = tf.math.div(tf.sum(tf.math.mul(w, perExample), tf.constant(0)), tf.math.maximum(
                weight, tf.constant(1e-12f)));
        return new Loss(loss, weight, tf.math.mul(valid, perExample));
    }
}
