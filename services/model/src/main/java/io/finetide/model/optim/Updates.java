package io.finetide.model.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;

/**
 * The optimizer as graph ops: its state (moments or momentum, and each parameter's own step count, so that a layer
 * unfrozen late gets Adam's bias correction from its own first step), global-norm clipping, the AdamW or SGD update,
 * gradient accumulation, and DP-SGD's clipped and noised accumulation. In a staged graph (gradual unfreezing) an
 * inactive parameter and its state keep their values exactly.
 */
public final class Updates {

    private static final float ADAM_BETA1 = 0.9f;
    private static final float ADAM_BETA2 = 0.999f;
    private static final float ADAM_EPS = 1e-8f;

    /**
     * @param layerDecay see {@link LayerwiseRates}; 1 gives every parameter the same rate
     * @param staged     whether {@link Feeds#active} may leave trainable parameters out of a step
     */
    public record Settings(Optimizer optimizer, double momentum, double layerDecay, boolean staged) {
    }

    /** The per-step scalars, and which trainable parameters a step updates. */
    public record Feeds(Operand<TFloat32> learningRate, Operand<TFloat32> weightDecay, Operand<TFloat32> clipNorm,
            Operand<TBool> active) {
    }

    /** An update: the global gradient norm (before clipping) and the op that applies it. */
    public record Update(Operand<TFloat32> norm, Op op) {
    }

    /** Gradient accumulation: add a micro-batch, apply the mean, clear. */
    public record Accumulation(Op accumulate, Update apply, Op clear) {
    }

    /** The name prefix of DP-SGD's sums of clipped per-example gradients among the graph's state. */
    public static final String PRIVATE_SUM = "private.sum:";

    /**
     * DP-SGD's feeds: the per-example clipping norm, the noise's standard deviation, the step's noise key (int64 [2])
     * and the expected batch size the noised sum is divided by.
     */
    public record PrivateFeeds(Operand<TFloat32> clip, Operand<TFloat32> noiseStd, Operand<TInt64> noiseKey,
            Operand<TFloat32> expectedBatch) {
    }

    /** DP-SGD: add one example's clipped gradient (and read its norm before clipping), apply the noised mean, clear. */
    public record PrivateAccumulation(Op accumulate, Operand<TFloat32> exampleNorm, Update apply, Op clear) {
    }

    private final Ops tf;
    private final TransformerConfig config;
    private final List<ParamSpec> trainable;
    private final Map<String, Operand<TFloat32>> params;
    private final Slots slots;
    private final Settings settings;
    private final Feeds feeds;

    /**
     * @param trainable the parameters the gradients are of, in the gradients' order
     * @param params    every parameter's read by name
     */
    public Updates(Ops tf, TransformerConfig config, List<ParamSpec> trainable, Map<String, Operand<TFloat32>> params,
            Slots slots, Settings settings, Feeds feeds) {
        this.tf = tf;
        this.config = config;
        this.trainable = trainable;
        this.params = params;
        this.slots = slots;
        this.settings = settings;
        this.feeds = feeds;
    }

    /** Creates the optimizer's state variables; returns the op that zeroes them. */
    public Op createState() {
        List<Variable<TFloat32>> state = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        for (ParamSpec p : trainable) {
            for (String kind : settings.optimizer() == Optimizer.ADAMW
                    ? List.of("adam.m", "adam.v")
                    : List.of("sgd.momentum")) {
                state.add(slots.create(kind + ":" + p.name(), p.shape()));
                shapes.add(p.shape());
            }
            state.add(slots.create("steps:" + p.name(), new int[0]));
            shapes.add(new int[0]);
        }
        List<Op> resets = new ArrayList<>();
        for (int i = 0; i < state.size(); i++) {
            resets.add(tf.assign(state.get(i), zeros(shapes.get(i))));
        }
        return tf.withControlDependencies(resets).noOp();
    }

    /**
     * The update of every trainable parameter from {@code grads}: the global norm over the active parameters,
     * clipping, then AdamW or SGD.
     */
    public Update update(List<Operand<TFloat32>> grads) {
        List<Operand<TFloat32>> squares = new ArrayList<>();
        List<Operand<TBool>> on = new ArrayList<>();
        for (int i = 0; i < grads.size(); i++) {
            Operand<TBool> a = tf.gather(feeds.active(), tf.constant(i), tf.constant(0));
            on.add(a);
            Operand<TFloat32> sq = squaredNorm(grads.get(i));
            squares.add(settings.staged() ? tf.math.mul(sq, tf.dtypes.cast(a, TFloat32.class)) : sq);
        }
        Operand<TFloat32> norm = tf.math.sqrt(tf.math.addN(squares));
        Operand<TFloat32> clipScale = clipFactor(tf, norm, feeds.clipNorm());

        List<Op> assigns = new ArrayList<>();
        for (int i = 0; i < trainable.size(); i++) {
            ParamSpec p = trainable.get(i);
            Operand<TFloat32> param = params.get(p.name());
            Operand<TFloat32> g = tf.math.mul(grads.get(i), clipScale);
            Operand<TFloat32> rate = tf.math.mul(feeds.learningRate(), tf.constant((float) LayerwiseRates.scale(
                    config, settings.layerDecay(), p.name())));
            Variable<TFloat32> steps = slots.get("steps:" + p.name());
            Operand<TFloat32> t1 = tf.math.add(tf.identity(steps), tf.constant(1f));
            Operand<TFloat32> next = settings.optimizer() == Optimizer.ADAMW
                    ? adamW(p, param, g, rate, t1, on.get(i), assigns)
                    : sgd(p, param, g, rate, on.get(i), assigns);
            assigns.add(tf.assign(steps, kept(on.get(i), t1, tf.identity(steps))));
            assigns.add(tf.assign(slots.get(p.name()), kept(on.get(i), next, param)));
        }
        return new Update(norm, tf.withControlDependencies(assigns).noOp());
    }

    private Operand<TFloat32> adamW(ParamSpec p, Operand<TFloat32> param, Operand<TFloat32> g,
            Operand<TFloat32> rate, Operand<TFloat32> t1, Operand<TBool> on, List<Op> assigns) {
        Variable<TFloat32> m = slots.get("adam.m:" + p.name());
        Variable<TFloat32> v = slots.get("adam.v:" + p.name());
        Operand<TFloat32> mRead = tf.identity(m);
        Operand<TFloat32> vRead = tf.identity(v);
        Operand<TFloat32> m1 = tf.math.add(tf.math.mul(tf.constant(ADAM_BETA1), mRead), tf.math.mul(tf.constant(1
                - ADAM_BETA1), g));
        Operand<TFloat32> v1 = tf.math.add(tf.math.mul(tf.constant(ADAM_BETA2), vRead), tf.math.mul(tf.constant(1
                - ADAM_BETA2), tf.math.square(g)));
        // Bias corrections from this parameter's own step count.
        Operand<TFloat32> bc1 = tf.math.sub(tf.constant(1f), tf.math.pow(tf.constant(ADAM_BETA1), t1));
        Operand<TFloat32> bc2 = tf.math.sub(tf.constant(1f), tf.math.pow(tf.constant(ADAM_BETA2), t1));
        Operand<TFloat32> denom = tf.math.add(tf.math.div(tf.math.sqrt(v1), tf.math.sqrt(bc2)), tf.constant(
                ADAM_EPS));
        Operand<TFloat32> next = tf.math.sub(param, tf.math.mul(tf.math.div(rate, bc1), tf.math.div(m1, denom)));
        if (p.decayed()) {
            // Decoupled weight decay (AdamW): shrink the weight itself, not the gradient.
            next = tf.math.sub(next, tf.math.mul(tf.math.mul(rate, feeds.weightDecay()), param));
        }
        assigns.add(tf.assign(m, kept(on, m1, mRead)));
        assigns.add(tf.assign(v, kept(on, v1, vRead)));
        return next;
    }

    private Operand<TFloat32> sgd(ParamSpec p, Operand<TFloat32> param, Operand<TFloat32> g, Operand<TFloat32> rate,
            Operand<TBool> on, List<Op> assigns) {
        Variable<TFloat32> buf = slots.get("sgd.momentum:" + p.name());
        Operand<TFloat32> bufRead = tf.identity(buf);
        if (p.decayed()) {
            g = tf.math.add(g, tf.math.mul(feeds.weightDecay(), param));
        }
        Operand<TFloat32> buf1 = tf.math.add(tf.math.mul(tf.constant((float) settings.momentum()), bufRead), g);
        assigns.add(tf.assign(buf, kept(on, buf1, bufRead)));
        return tf.math.sub(param, tf.math.mul(rate, buf1));
    }

    /**
     * Accumulators of weighted gradients and of the weights; a micro-batch counts with its loss weight (its labelled
     * positions), so the quotient is the big batch's weighted-mean gradient.
     */
    public Accumulation accumulation(List<Operand<TFloat32>> grads, Operand<TFloat32> lossWeight) {
        Variable<TFloat32> count = slots.create("accumulated:examples", new int[0]);
        List<Op> adds = new ArrayList<>();
        List<Op> clears = new ArrayList<>();
        List<Operand<TFloat32>> means = new ArrayList<>();
        Operand<TFloat32> countRead = tf.identity(count);
        for (int i = 0; i < trainable.size(); i++) {
            ParamSpec p = trainable.get(i);
            Variable<TFloat32> acc = slots.create("accumulated:" + p.name(), p.shape());
            adds.add(tf.assignAdd(acc, tf.math.mul(grads.get(i), lossWeight)));
            clears.add(tf.assign(acc, zeros(p.shape())));
            means.add(tf.math.div(tf.identity(acc), countRead));
        }
        adds.add(tf.assignAdd(count, lossWeight));
        clears.add(tf.assign(count, tf.constant(0f)));
        Op accumulate = tf.withControlDependencies(adds).noOp();
        Op clear = tf.withControlDependencies(clears).noOp();
        return new Accumulation(accumulate, update(means), clear);
    }

    /**
     * DP-SGD's step (Abadi et al. 2016) over micro-batches of one example: each example's gradient, over all trainable
     * parameters at once, is scaled to a global norm of at most {@code clip} and summed; the update then takes the sum
     * plus Gaussian noise of standard deviation {@code noiseStd} (the noise multiplier times the clip) per coordinate,
     * divided by the expected batch size of the Poisson sampling (not the batch's actual size, which would leak it).
     * The noise is a stateless function of {@code noiseKey} and the parameter's index, so a resumed run draws the same.
     *
     * @param exampleGrads the gradients of one example's loss, in {@code trainable} order
     */
    public PrivateAccumulation privateAccumulation(List<Operand<TFloat32>> exampleGrads, PrivateFeeds privateFeeds) {
        Operand<TFloat32> norm = tf.math.sqrt(tf.math.addN(exampleGrads.stream().map(this::squaredNorm).toList()));
        Operand<TFloat32> scale = clipFactor(tf, norm, privateFeeds.clip());
        List<Op> adds = new ArrayList<>();
        List<Op> clears = new ArrayList<>();
        List<Operand<TFloat32>> noised = new ArrayList<>();
        for (int i = 0; i < trainable.size(); i++) {
            ParamSpec p = trainable.get(i);
            Variable<TFloat32> sum = slots.create(PRIVATE_SUM + p.name(), p.shape());
            adds.add(tf.assignAdd(sum, tf.math.mul(exampleGrads.get(i), scale)));
            clears.add(tf.assign(sum, zeros(p.shape())));
            Operand<TInt64> seed = tf.math.add(privateFeeds.noiseKey(), tf.constant(new long[]{i, 0}));
            Operand<TFloat32> noise = tf.math.mul(privateFeeds.noiseStd(), tf.random.statelessRandomNormal(tf
                    .constant(dims(p.shape())), seed, TFloat32.class));
            noised.add(tf.math.div(tf.math.add(tf.identity(sum), noise), privateFeeds.expectedBatch()));
        }
        return new PrivateAccumulation(tf.withControlDependencies(adds).noOp(), norm, update(noised), tf
                .withControlDependencies(clears).noOp());
    }

    /**
     * Adds gradients already clipped and summed elsewhere (ghost clipping, a whole batch at once) to the sums of
     * {@link #privateAccumulation}, which must have been built first.
     */
    public Op addToPrivateSums(List<Operand<TFloat32>> clippedSums) {
        List<Op> adds = new ArrayList<>();
        for (int i = 0; i < trainable.size(); i++) {
            adds.add(tf.assignAdd(slots.get(PRIVATE_SUM + trainable.get(i).name()), clippedSums.get(i)));
        }
        return tf.withControlDependencies(adds).noOp();
    }

    /**
     * The updated value, or in a staged graph the old one where the parameter is inactive this step; an unstaged
     * graph updates every trainable parameter and needs no per-step choice (a full copy of each tensor per step).
     */
    private Operand<TFloat32> kept(Operand<TBool> on, Operand<TFloat32> updated, Operand<TFloat32> old) {
        return settings.staged() ? tf.select(on, updated, old) : updated;
    }

    /** The sum of a tensor's squared entries. */
    private Operand<TFloat32> squaredNorm(Operand<TFloat32> g) {
        return tf.sum(tf.math.square(tf.reshape(g, tf.constant(new int[]{-1}))), tf.constant(0));
    }

    /**
     * What scales a gradient of norm {@code norm} to at most {@code clip}: clip / max(norm, clip), 1 under the limit.
     * Elementwise, so a vector of per-example norms gets a factor each (ghost clipping).
     */
    public static Operand<TFloat32> clipFactor(Ops tf, Operand<TFloat32> norm, Operand<TFloat32> clip) {
        return tf.math.div(clip, tf.math.maximum(norm, clip));
    }

    private Operand<TFloat32> zeros(int[] shape) {
        return tf.zeros(tf.constant(dims(shape)), TFloat32.class);
    }

    private static long[] dims(int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return dims;
    }
}
