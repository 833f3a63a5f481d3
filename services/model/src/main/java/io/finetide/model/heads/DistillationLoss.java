package io.finetide.model.heads;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Knowledge distillation's loss (Hinton, Vinyals and Dean, 2015): a student learns a teacher's soft labels, its class
 * probabilities at a temperature, beside the hard labels where an example has one. The soft term is the cross-entropy
 * of the student's probabilities at the same temperature against the teacher's, times the temperature squared, so that
 * its gradients keep their size whatever the temperature; every row has a soft label (an unlabelled example too),
 * only labelled rows (label 0 or above) weigh in the hard term. A tagger's rows are positions: those without a soft
 * label (all zeros) weigh in neither.
 *
 * @param temperature what both distributions are softened by (1: the teacher's probabilities as they are)
 * @param hardWeight  the hard labels' share of the loss, in [0, 1]; the soft labels' is the rest
 */
public record DistillationLoss(double temperature, double hardWeight) {

    public DistillationLoss {
        if (!(temperature >= 1) || temperature > 20) {
            throw new IllegalArgumentException("distillation temperature must be in [1, 20], got " + temperature);
        }
        if (!(hardWeight >= 0) || hardWeight > 1) {
            throw new IllegalArgumentException("the hard labels' weight must be in [0, 1], got " + hardWeight);
        }
    }

    /**
     * @param softLabels the teacher's probabilities at {@link #temperature}, one row per logits row (zeros: none)
     * @return the mixed loss, weighed (for gradient accumulation) by the batch's rows; no per-row losses (DP-SGD does
     *         not distil)
     */
    public Loss loss(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels, Operand<TFloat32> softLabels,
            int numLabels, double labelSmoothing, float[] classWeights) {
        Loss hard = Loss.of(tf, logits, labels, numLabels, labelSmoothing, classWeights);
        float t = (float) temperature;
        Operand<TFloat32> studentLogp = tf.nn.logSoftmax(tf.math.div(logits, tf.constant(t)));
        Operand<TFloat32> perRow = tf.math.neg(tf.sum(tf.math.mul(softLabels, studentLogp), tf.constant(1)));
        // A row of zeros (a tagger's position the teacher gives nothing for) adds nothing and is not counted.
        Operand<TFloat32> rows = tf.sum(tf.dtypes.cast(tf.math.greater(tf.sum(softLabels, tf.constant(1)), tf
                .constant(0.5f)), TFloat32.class), tf.constant(0));
        Operand<TFloat32> soft = tf.math.mul(tf.math.div(tf.sum(perRow, tf.constant(0)), tf.math.maximum(rows, tf
                .constant(1f))), tf.constant(t * t));
        Operand<TFloat32> loss = tf.math.add(tf.math.mul(tf.constant((float) hardWeight), hard.loss()), tf.math.mul(
                tf.constant((float) (1 - hardWeight)), soft));
        return new Loss(loss, rows, null);
    }
}
