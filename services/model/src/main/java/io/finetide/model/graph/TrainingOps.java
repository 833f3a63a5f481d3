package io.finetide.model.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.heads.Loss;
import io.finetide.model.optim.Updates;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;

/**
 * The ops only a training graph has: the labels (and a distilling graph's soft labels) and per-step scalars it is
 * fed, the loss, the gradients of the
 * trainable parameters (in {@code trainable} order), the optimizer's update and state reset, and, when asked for, the
 * gradient accumulation, and DP-SGD's.
 */
record TrainingOps(List<ParamSpec> trainable, Placeholder<TInt32> labels, Placeholder<TFloat32> softLabels,
        Placeholder<TFloat32> learningRate,
        Placeholder<TFloat32> weightDecay, Placeholder<TFloat32> clipNorm, Operand<TBool> active,
        Operand<TFloat32> loss, Output<?>[] gradients, Updates.Update update, Op resetOptimizer,
        Updates.Accumulation accumulation, PrivateOps privacy) {

    /**
     * @param params every parameter's and adapter's read by name; {@code all} lists them in building order
     */
    static TrainingOps build(Graph graph, Ops tf, TransformerConfig config, GraphOptions options,
            List<ParamSpec> all, Map<String, Operand<TFloat32>> params, Variables variables,
            Operand<TFloat32> logits, Operand<TFloat32> classifierFeatures) {
        Placeholder<TInt32> labels = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        Placeholder<TFloat32> learningRate = scalar(tf);
        Placeholder<TFloat32> weightDecay = scalar(tf);
        Placeholder<TFloat32> clipNorm = scalar(tf);
        Placeholder<TFloat32> softLabels = options.distillation() == null
                ? null
                : tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, config.numLabels())));
        Loss loss = softLabels == null
                ? Loss.of(tf, logits, labels, config.numLabels(), options.labelSmoothing(), options.classWeights())
                : options.distillation().loss(tf, logits, labels, softLabels, config.numLabels(), options
                        .labelSmoothing(), options.classWeights());

        List<ParamSpec> trainable = all.stream().filter(p -> options.trainable().contains(p.name())).toList();
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("no trainable parameters selected");
        }
        for (String name : options.trainable()) {
            if (!params.containsKey(name)) {
                throw new IllegalArgumentException("no parameter '" + name + "' to train");
            }
        }
        boolean[] everything = new boolean[trainable.size()];
        Arrays.fill(everything, true);
        Operand<TBool> active = tf.placeholderWithDefault(tf.constant(everything), Shape.of(trainable.size()));

        Output<?>[] xs = trainable.stream().map(p -> params.get(p.name()).asOutput()).toArray(Output[]::new);
        Output<?>[] gradients = graph.addGradients(loss.loss().asOutput(), xs);

        Updates updates = new Updates(tf, config, trainable, params, variables, new Updates.Settings(options
                .optimizer(), options.momentum(), options.layerDecay(), options.staged()), new Updates.Feeds(
                        learningRate, weightDecay, clipNorm, active));
        Op resetOptimizer = updates.createState();
        List<Operand<TFloat32>> grads = new ArrayList<>();
        for (Output<?> g : gradients) {
            grads.add(cast(g));
        }
        Updates.Update update = updates.update(grads);
        Updates.Accumulation accumulation = options.accumulate() ? updates.accumulation(grads, loss.weight()) : null;
        PrivateOps privacy = options.privateSteps()
                ? PrivateOps.build(graph, tf, config, updates, grads, trainable, params, logits, classifierFeatures,
                        loss.perRow())
                : null;
        return new TrainingOps(trainable, labels, softLabels, learningRate, weightDecay, clipNorm, active, loss.loss(),
                gradients,
                update, resetOptimizer, accumulation, privacy);
    }

    @SuppressWarnings("unchecked")
    private static Operand<TFloat32> cast(Output<?> o) {
        return (Operand<TFloat32>) o;
    }

    private static Placeholder<TFloat32> scalar(Ops tf) {
        return tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    }
}
