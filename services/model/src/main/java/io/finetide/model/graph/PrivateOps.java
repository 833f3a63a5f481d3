package io.finetide.model.graph;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

import io.finetide.model.optim.Updates;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;

/**
 * DP-SGD's feeds and ops in a training graph (see {@link Updates#privateAccumulation}), and, where the identity
 * allows it, ghost clipping.
 *
 * @param ghost null unless only a sequence classifier trains
 */
record PrivateOps(Placeholder<TFloat32> clip, Placeholder<TFloat32> noiseStd, Placeholder<TInt64> noiseKey,
        Placeholder<TFloat32> expectedBatch, Updates.PrivateAccumulation accumulation, Ghost ghost) {

    /**
     * Ghost clipping (Goodfellow 2015; Li et al. 2022) of a linear classifier y = x W + b: example i's weight gradient
     * is the outer product of its features x_i and its logits' gradient g_i, so its norm is |x_i| |g_i| without
     * forming it, and its bias gradient is g_i. With the norms, each example's clipping factor c_i; the gradient of the
     * sum of c_i times its loss (c_i held constant) is the sum of the clipped gradients, for the whole batch in one
     * pass.
     *
     * @param norms each example's gradient norm before clipping, [batch]
     */
    record Ghost(Operand<TFloat32> norms, Op accumulate) {
    }

    static PrivateOps build(Graph graph, Ops tf, TransformerConfig config, Updates updates,
            List<Operand<TFloat32>> exampleGrads, List<ParamSpec> trainable, Map<String, Operand<TFloat32>> params,
            Operand<TFloat32> logits, Operand<TFloat32> features, Operand<TFloat32> perRow) {
        Placeholder<TFloat32> clip = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        Placeholder<TFloat32> noiseStd = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        Placeholder<TInt64> noiseKey = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
        Placeholder<TFloat32> expectedBatch = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        Updates.PrivateAccumulation accumulation = updates.privateAccumulation(exampleGrads, new Updates.PrivateFeeds(
                clip, noiseStd, noiseKey, expectedBatch));
        Set<String> classifier = Set.of(ParamSpec.CLASSIFIER + ".weight", ParamSpec.CLASSIFIER + ".bias");
        boolean onlyClassifier = trainable.size() == 2 && trainable.stream().allMatch(p -> classifier.contains(p
                .name()));
        Ghost ghost = config.head() == Head.SEQUENCE && features != null && onlyClassifier
                ? ghost(graph, tf, updates, trainable, params, logits, features, perRow, clip)
                : null;
        return new PrivateOps(clip, noiseStd, noiseKey, expectedBatch, accumulation, ghost);
    }

    private static Ghost ghost(Graph graph, Ops tf, Updates updates, List<ParamSpec> trainable,
            Map<String, Operand<TFloat32>> params, Operand<TFloat32> logits, Operand<TFloat32> features,
            Operand<TFloat32> perRow, Operand<TFloat32> clip) {
        // Row i of the gradient of the summed losses with respect to the logits is example i's alone.
        Output<?> logitGrads = graph.addGradients(tf.sum(perRow, tf.constant(0)).asOutput(), new Output<?>[]{logits
                .asOutput()})[0];
        Operand<TFloat32> g = cast(logitGrads);
        Operand<TFloat32> gSquared = tf.sum(tf.math.square(g), tf.constant(1));
        Operand<TFloat32> xSquared = tf.sum(tf.math.square(features), tf.constant(1));
        // |x_i g_i^T|^2 + |g_i|^2: the weight's and the bias's parts of the example's squared norm.
        Operand<TFloat32> norms = tf.math.sqrt(tf.math.mul(gSquared, tf.math.add(xSquared, tf.constant(1f))));
        Operand<TFloat32> factors = tf.stopGradient(Updates.clipFactor(tf, norms, clip));
        Operand<TFloat32> clippedLoss = tf.sum(tf.math.mul(factors, perRow), tf.constant(0));
        Output<?>[] sums = graph.addGradients(clippedLoss.asOutput(), trainable.stream().map(p -> params.get(p
                .name()).asOutput()).toArray(Output<?>[]::new));
        List<Operand<TFloat32>> clipped = java.util.Arrays.stream(sums).map(PrivateOps::cast).toList();
        return new Ghost(norms, updates.addToPrivateSums(clipped));
    }

    @SuppressWarnings("unchecked")
    private static Operand<TFloat32> cast(Output<?> o) {
        return (Operand<TFloat32>) o;
    }
}
