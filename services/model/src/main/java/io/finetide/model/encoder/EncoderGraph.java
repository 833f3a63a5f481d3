package io.finetide.model.encoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A BERT-style encoder with a sequence-classification head, built as a TensorFlow graph (post-LayerNorm, erf-GELU,
 * padding mask, mean or [CLS] pooling). In training mode it also holds the loss, the gradients of the trainable
 * parameters, global-norm clipping and an AdamW or SGD-with-momentum update; one {@link #trainStep} is one session run
 * (or, with gradient accumulation, {@link #accumulate} per micro-batch and one {@link #applyAccumulated}).
 *
 * <p>
 * Every piece of training state lives in graph variables: parameters, LoRA adapters, optimizer moments and each
 * parameter's own step count (so a layer unfrozen late gets Adam's bias correction from its own first step). Dropout
 * masks are stateless functions of (seed, step, op), so {@link #state()} and {@link #loadState} resume a run exactly.
 *
 * <p>
 * Parameters are ref variables. The update reads each parameter only after the global gradient norm exists, and that
 * norm depends on every gradient, hence on every read of every parameter in the forward and backward pass: so no
 * assignment can overtake a read within the step.
 */
public final class EncoderGraph implements AutoCloseable {

    private static final float ADAM_BETA1 = 0.9f;
    private static final float ADAM_BETA2 = 0.999f;
    private static final float ADAM_EPS = 1e-8f;
    private static final float MASK_BIAS = -10000f;
    /** Dropout ops per step; a step's random key is {@code step * DROPOUT_KEYS + op}. */
    private static final long DROPOUT_KEYS = 1 << 12;

    /** How the gradients move the parameters. */
    public enum Optimizer {
        /** Adam with decoupled weight decay (Loshchilov and Hutter), none on biases and LayerNorms. */
        ADAMW,
        /** SGD with (heavy-ball) momentum; weight decay as an L2 term added to the gradient, as in PyTorch. */
        SGD
    }

    /**
     * @param classWeights the loss weight of each label (an example counts with its label's weight), or null for
     *                     equal weights
     * @param layerDecay   discriminative fine-tuning: the head learns at the full rate, the top encoder layer at
     *                     {@code layerDecay} times it, each layer below at {@code layerDecay} times the one above, the
     *                     embeddings below the lowest; 1 gives every parameter the same rate
     * @param lora         low-rank adapters to add (their names may then be {@code trainable}), or null
     * @param staged       the set of updated parameters may shrink below {@code trainable} per step
     *                     ({@link Step#active}), for gradual unfreezing
     * @param accumulate   build the gradient-accumulation ops ({@link #accumulate}, {@link #applyAccumulated})
     */
    public record Options(boolean training, Set<String> trainable, long seed, int threads, double labelSmoothing,
            float[] classWeights, double layerDecay, Optimizer optimizer, double momentum, Lora lora, boolean staged,
            boolean accumulate) {
        public Options(boolean training, Set<String> trainable, long seed, int threads, double labelSmoothing) {
            this(training, trainable, seed, threads, labelSmoothing, null, 1.0);
        }

        public Options(boolean training, Set<String> trainable, long seed, int threads, double labelSmoothing,
                float[] classWeights, double layerDecay) {
            this(training, trainable, seed, threads, labelSmoothing, classWeights, layerDecay, Optimizer.ADAMW, 0,
                    null, false, false);
        }

        public Options {
            if (layerDecay <= 0 || layerDecay > 1) {
                throw new IllegalArgumentException("layer decay must be in (0, 1], got " + layerDecay);
            }
            if (momentum < 0 || momentum >= 1) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            }
            if (optimizer == null) {
                throw new IllegalArgumentException("an optimizer is needed");
            }
        }

        public static Options inference(int threads) {
            return new Options(false, Set.of(), 0, threads, 0);
        }
    }

    /**
     * The knobs of one optimisation step.
     *
     * @param randomKey   selects this step's dropout masks (the trainer's micro-batch counter)
     * @param maxGradNorm global-norm clip; 0 or less disables it
     * @param active      with {@link Options#staged}: the parameters this step updates (null: all trainable)
     */
    public record Step(long randomKey, double learningRate, double weightDecay, double maxGradNorm, double dropout,
            Set<String> active) {
        public Step(long randomKey, double learningRate, double weightDecay, double maxGradNorm, double dropout) {
            this(randomKey, learningRate, weightDecay, maxGradNorm, dropout, null);
        }
    }

    private record Slot(Variable<TFloat32> variable, int[] shape, Placeholder<TFloat32> feed, Op assign) {
    }

    private final EncoderConfig config;
    private final Options options;
    private final Graph graph;
    private final Session session;
    private final Ops tf;
    private final List<ParamSpec> specs;
    private final List<ParamSpec> loraSpecs;
    /** Every variable of the graph by name: parameters, adapters, optimizer state; for loading and checkpoints. */
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
    /** What {@link #weights()} exports: the read, or for an adapted weight {@code W + scale A B}. */
    private final Map<String, Operand<TFloat32>> exported = new LinkedHashMap<>();
    private final Placeholder<TInt32> inputIds;
    private final Placeholder<TFloat32> attentionMask;
    /** An encoder-decoder's decoder inputs (the target shifted right) and their mask; null otherwise. */
    private final Placeholder<TInt32> decoderIds;
    private final Placeholder<TFloat32> decoderMask;
    private final Placeholder<TFloat32> dropoutRate;
    private final Operand<TInt64> dropoutKey;
    private final Operand<TInt32> tokenTypes;
    private final Operand<TFloat32> logits;
    private final Operand<TFloat32> probabilities;
    private long dropoutOps;
    /** [batch, time, hidden]: the encoder's last hidden states, before pooling. */
    private Operand<TFloat32> lastHidden;

    // Training only.
    private List<ParamSpec> trainable;
    private Placeholder<TInt32> labels;
    private Placeholder<TFloat32> learningRate;
    private Placeholder<TFloat32> weightDecay;
    private Placeholder<TFloat32> clipNorm;
    private Operand<TBool> active;
    private Operand<TFloat32> loss;
    private Operand<TFloat32> lossWeight;
    private Output<?>[] gradients;
    private Operand<TFloat32> gradNorm;
    private Op update;
    private Op resetOptimizer;
    private Op accumulateOp;
    private Operand<TFloat32> accumulatedNorm;
    private Op applyAccumulatedOp;
    private Op clearAccumulatorsOp;

    private EncoderGraph(EncoderConfig config, Options options) {
        this.config = config;
        this.options = options;
        this.graph = new Graph();
        this.tf = Ops.create(graph);
        this.specs = ParamSpec.forConfig(config);
        this.loraSpecs = options.lora() == null ? List.of() : options.lora().params(config);
        for (ParamSpec p : specs) {
            reads.put(p.name(), tf.identity(slot(p.name(), p.shape()).variable()));
        }
        for (ParamSpec p : loraSpecs) {
            reads.put(p.name(), tf.identity(slot(p.name(), p.shape()).variable()));
        }
        for (ParamSpec p : specs) {
            exported.put(p.name(), reads.get(p.name()));
        }
        if (options.lora() != null) {
            Operand<TFloat32> scale = tf.constant((float) options.lora().scale());
            for (String prefix : options.lora().prefixes(config)) {
                exported.put(prefix + ".weight", tf.math.add(reads.get(prefix + ".weight"), tf.math.mul(scale,
                        tf.linalg.matMul(reads.get(prefix + Lora.A), reads.get(prefix + Lora.B)))));
            }
        }
        inputIds = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        attentionMask = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
        dropoutRate = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        dropoutKey = tf.placeholderWithDefault(tf.constant(new long[]{0, 0}), Shape.of(2));
        tokenTypes = tf.placeholderWithDefault(tf.constant(new int[][]{{0}}), Shape.of(-1, -1));
        decoderIds = config.encoderDecoder()
                ? tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)))
                : null;
        decoderMask = config.encoderDecoder()
                ? tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)))
                : null;
        logits = config.encoderDecoder() ? buildEncoderDecoder() : buildClassifier();
        probabilities = tf.nn.softmax(logits);
        if (options.training()) {
            buildTraining();
        }
        ConfigProto proto = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(options.threads())
                .setInterOpParallelismThreads(options.threads())
                .build();
        this.session = new Session(graph, proto);
    }

    private Slot slot(String name, int[] dims) {
        Shape shape = shapeOf(dims);
        Variable<TFloat32> v = tf.variable(shape, TFloat32.class);
        Placeholder<TFloat32> feed = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
        Slot s = new Slot(v, dims.clone(), feed, tf.assign(v, feed));
        if (slots.putIfAbsent(name, s) != null) {
            throw new IllegalStateException("two variables named " + name);
        }
        return s;
    }

    /** A graph holding {@code weights}; in training mode with fresh optimizer state (and fresh adapters). */
    public static EncoderGraph create(EncoderConfig config, Weights weights, Options options) {
        weights.requireCompatible(config);
        EncoderGraph g = new EncoderGraph(config, options);
        try {
            g.load(weights);
            if (options.lora() != null) {
                g.assign(options.lora().initial(config, options.seed()).tensors());
            }
            if (options.training()) {
                g.session.run(g.resetOptimizer);
                if (g.clearAccumulatorsOp != null) {
                    g.session.run(g.clearAccumulatorsOp);
                }
            }
            return g;
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    public EncoderConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ graph construction

    private Operand<TFloat32> buildClassifier() {
        int h = config.hiddenSize();
        Operand<TInt32> seqLen = lengthOf(inputIds);
        Operand<TFloat32> x = tf.gather(reads.get(ParamSpec.WORD_EMBEDDINGS), inputIds, tf.constant(0));
        Operand<TFloat32> pos = tf.gather(reads.get(ParamSpec.POSITION_EMBEDDINGS),
                tf.range(tf.constant(0), seqLen, tf.constant(1)), tf.constant(0));
        Operand<TFloat32> x2;
        if (config.decoder()) {
            x2 = dropout(tf.reshape(tf.math.add(x, pos), tf.constant(new int[]{-1, h})));
        } else {
            // Segment ids default to 0 everywhere (a [1, 1] default broadcasts over the batch).
            Operand<TFloat32> type = tf.gather(reads.get(ParamSpec.TYPE_EMBEDDINGS), tokenTypes, tf.constant(0));
            x = tf.math.add(tf.math.add(x, pos), type);
            x2 = tf.reshape(x, tf.constant(new int[]{-1, config.embeddingSize()}));
            x2 = dropout(layerNorm(x2, ParamSpec.EMBEDDINGS_LN));
            if (config.factorisedEmbeddings()) {
                x2 = linear(x2, ParamSpec.EMBEDDING_PROJECTION);
            }
        }

        Operand<TFloat32> maskBias = paddingBias(attentionMask);
        if (config.decoder()) {
            maskBias = tf.math.add(maskBias, futureBias(seqLen));
        }
        Operand<TInt32> heads = headsShape(seqLen);

        for (int i = 0; i < config.layers(); i++) {
            String l = ParamSpec.layer(config, i);
            if (config.decoder()) {
                // GPT-2: LayerNorm before each block, the residual stream left unnormalised.
                Operand<TFloat32> attnOut = dropout(selfAttention(layerNorm(x2, l + "attention.output.LayerNorm"),
                        l, heads, maskBias));
                x2 = tf.math.add(x2, attnOut);
                Operand<TFloat32> inter = activation(linear(layerNorm(x2, l + "output.LayerNorm"), l
                        + "intermediate.dense"));
                x2 = tf.math.add(x2, dropout(linear(inter, l + "output.dense")));
            } else {
                Operand<TFloat32> attnOut = dropout(selfAttention(x2, l, heads, maskBias));
                x2 = layerNorm(tf.math.add(x2, attnOut), l + "attention.output.LayerNorm");
                Operand<TFloat32> inter = activation(linear(x2, l + "intermediate.dense"));
                Operand<TFloat32> out = dropout(linear(inter, l + "output.dense"));
                x2 = layerNorm(tf.math.add(x2, out), l + "output.LayerNorm");
            }
        }
        if (config.decoder()) {
            x2 = layerNorm(x2, ParamSpec.FINAL_LN);
        }

        Operand<TFloat32> hidden = tf.reshape(x2, timeShape(seqLen, h));
        lastHidden = hidden;
        if (config.languageModel()) {
            // [batch * time, vocabulary]: next-token logits from the word embeddings themselves (tied weights).
            return tf.linalg.matMul(x2, reads.get(ParamSpec.WORD_EMBEDDINGS), org.tensorflow.op.linalg.MatMul
                    .transposeB(true));
        }
        if (config.tokenClassification()) {
            // [batch * time, labels]: every position gets logits; the loss and readers skip the unlabelled ones.
            return linear(dropout(x2), ParamSpec.CLASSIFIER);
        }
        Operand<TFloat32> pooled;
        if (config.pooling().equals(EncoderConfig.LAST)) {
            // The last real token's state: under the causal mask it is the only one that has seen the whole text.
            Operand<TInt32> last = tf.math.sub(tf.dtypes.cast(tf.sum(attentionMask, tf.constant(1)), TInt32.class),
                    tf.constant(1));
            Operand<TFloat32> pick = tf.oneHot(last, seqLen, tf.constant(1f), tf.constant(0f));
            pooled = tf.sum(tf.math.mul(hidden, tf.expandDims(pick, tf.constant(2))), tf.constant(1));
        } else if (config.pooling().equals("cls")) {
            pooled = tf.gather(hidden, tf.constant(0), tf.constant(1));
        } else {
            Operand<TFloat32> m = tf.expandDims(attentionMask, tf.constant(2));
            Operand<TFloat32> summed = tf.sum(tf.math.mul(hidden, m), tf.constant(1));
            Operand<TFloat32> count = tf.math.maximum(tf.sum(attentionMask, tf.constant(1),
                    org.tensorflow.op.core.Sum.keepDims(true)), tf.constant(1f));
            pooled = tf.math.div(summed, count);
        }
        return linear(dropout(pooled), ParamSpec.CLASSIFIER);
    }

    /**
     * T5 (Raffel et al.): an encoder of pre-RMS-norm blocks with bidirectional relative position buckets, a decoder of
     * blocks with causal self-attention (unidirectional buckets), cross-attention to the encoder's output and a
     * feed-forward; no biases, unscaled attention scores (T5 folds the scale into its initialisation), and the
     * language-model head tied to the shared embeddings with the {@code d^-0.5} rescale. Returns [batch * target
     * time, vocabulary] logits.
     */
    private Operand<TFloat32> buildEncoderDecoder() {
        int h = config.hiddenSize();
        Operand<TFloat32> shared = reads.get(ParamSpec.SHARED);
        Operand<TInt32> srcLen = lengthOf(inputIds);
        Operand<TInt32> tgtLen = lengthOf(decoderIds);
        Operand<TFloat32> srcPadding = paddingBias(attentionMask);
        Operand<TInt32> srcHeads = headsShape(srcLen);
        Operand<TInt32> tgtHeads = headsShape(tgtLen);

        Operand<TFloat32> x = dropout(tf.reshape(tf.gather(shared, inputIds, tf.constant(0)), tf.constant(new int[]{
                -1, h})));
        Operand<TFloat32> encoderBias = tf.math.add(relativeBias(ParamSpec.T5_ENCODER, srcLen, srcLen, true),
                srcPadding);
        for (int i = 0; i < config.layers(); i++) {
            String b = ParamSpec.block(ParamSpec.T5_ENCODER, i);
            Operand<TFloat32> n = rmsNorm(x, b + "layer.0.layer_norm.weight");
            x = tf.math.add(x, dropout(t5Attention(n, n, b + ParamSpec.SELF_ATTENTION, srcHeads, srcHeads,
                    encoderBias)));
            x = tf.math.add(x, dropout(t5FeedForward(rmsNorm(x, b + "layer.1.layer_norm.weight"), b + "layer.1")));
        }
        Operand<TFloat32> memory = dropout(rmsNorm(x, ParamSpec.T5_ENCODER + ParamSpec.FINAL_NORM));

        Operand<TFloat32> y = dropout(tf.reshape(tf.gather(shared, decoderIds, tf.constant(0)), tf.constant(
                new int[]{-1, h})));
        Operand<TFloat32> decoderBias = tf.math.add(tf.math.add(relativeBias(ParamSpec.T5_DECODER, tgtLen, tgtLen,
                false), futureBias(tgtLen)), paddingBias(decoderMask));
        for (int i = 0; i < config.layers(); i++) {
            String b = ParamSpec.block(ParamSpec.T5_DECODER, i);
            Operand<TFloat32> n = rmsNorm(y, b + "layer.0.layer_norm.weight");
            y = tf.math.add(y, dropout(t5Attention(n, n, b + ParamSpec.SELF_ATTENTION, tgtHeads, tgtHeads,
                    decoderBias)));
            n = rmsNorm(y, b + "layer.1.layer_norm.weight");
            y = tf.math.add(y, dropout(t5Attention(n, memory, b + ParamSpec.CROSS_ATTENTION, tgtHeads, srcHeads,
                    srcPadding)));
            y = tf.math.add(y, dropout(t5FeedForward(rmsNorm(y, b + "layer.2.layer_norm.weight"), b + "layer.2")));
        }
        y = dropout(rmsNorm(y, ParamSpec.T5_DECODER + ParamSpec.FINAL_NORM));
        lastHidden = tf.reshape(y, timeShape(tgtLen, h));
        // Tied head: the decoder's output rescaled by d^-0.5, against the shared embeddings.
        Operand<TFloat32> scaled = tf.math.mul(y, tf.constant((float) Math.pow(h, -0.5)));
        return tf.linalg.matMul(scaled, shared, org.tensorflow.op.linalg.MatMul.transposeB(true));
    }

    private Operand<TInt32> lengthOf(Operand<TInt32> ids) {
        return tf.reshape(tf.slice(tf.shape(ids), tf.constant(new int[]{1}), tf.constant(new int[]{1})), tf
                .constant(new int[0]));
    }

    /** [batch, 1, 1, time]: 0 where a key is a real token, {@link #MASK_BIAS} where it is padding. */
    private Operand<TFloat32> paddingBias(Operand<TFloat32> mask) {
        Operand<TFloat32> bias = tf.math.mul(tf.math.sub(tf.constant(1f), mask), tf.constant(MASK_BIAS));
        return tf.expandDims(tf.expandDims(bias, tf.constant(1)), tf.constant(1));
    }

    /** [1, 1, time, time]: a position sees itself and those before it, never the future. */
    private Operand<TFloat32> futureBias(Operand<TInt32> len) {
        Operand<TFloat32> ones = tf.fill(tf.stack(List.of(len, len)), tf.constant(1f));
        Operand<TFloat32> future = tf.math.mul(tf.math.sub(tf.constant(1f), tf.linalg.bandPart(ones, tf.constant(-1),
                tf.constant(0))), tf.constant(MASK_BIAS));
        return tf.expandDims(tf.expandDims(future, tf.constant(0)), tf.constant(0));
    }

    /**
     * [1, heads, queries, keys]: T5's learned bias per head and relative-position bucket. Distances below half the
     * buckets (of each direction) have a bucket each; longer ones share logarithmically wider buckets up to the
     * maximum distance. Computed in float32 as Hugging Face does, so the buckets agree at their edges.
     */
    private Operand<TFloat32> relativeBias(String stack, Operand<TInt32> queries, Operand<TInt32> keys,
            boolean bidirectional) {
        Operand<TInt32> q = tf.expandDims(tf.range(tf.constant(0), queries, tf.constant(1)), tf.constant(1));
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
        Operand<TFloat32> values = tf.gather(reads.get(ParamSpec.block(stack, 0) + ParamSpec.RELATIVE_BIAS), bucket,
                tf.constant(0));
        return tf.expandDims(tf.linalg.transpose(values, tf.constant(new int[]{2, 0, 1})), tf.constant(0));
    }

    /** T5's LayerNorm: a root-mean-square rescale with a gain, no centring and no shift. */
    private Operand<TFloat32> rmsNorm(Operand<TFloat32> x, String weight) {
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(x), tf.constant(-1), Mean.keepDims(true));
        return tf.math.mul(tf.math.mul(x, tf.math.rsqrt(tf.math.add(variance, tf.constant((float) config
                .layerNormEps())))), reads.get(weight));
    }

    private Operand<TFloat32> t5FeedForward(Operand<TFloat32> x, String prefix) {
        Operand<TFloat32> inner = dropout(activation(linear(x, prefix + ".DenseReluDense.wi")));
        return linear(inner, prefix + ".DenseReluDense.wo");
    }

    /** T5's attention of {@code queries} over {@code memory} through {@code prefix}'s q, k, v and o, unscaled. */
    private Operand<TFloat32> t5Attention(Operand<TFloat32> queries, Operand<TFloat32> memory, String prefix,
            Operand<TInt32> qShape, Operand<TInt32> kShape, Operand<TFloat32> bias) {
        return attention(queries, memory, prefix + ".q", prefix + ".k", prefix + ".v", prefix + ".o", qShape, kShape,
                bias, false);
    }

    /** [batch, len, heads, head size] as a shape operand. */
    private Operand<TInt32> headsShape(Operand<TInt32> len) {
        return timeShape(len, config.heads(), config.headSize());
    }

    /** [batch (any), len, tail...] as a shape operand. */
    private Operand<TInt32> timeShape(Operand<TInt32> len, int... tail) {
        return tf.concat(List.of(tf.constant(new int[]{-1}), tf.reshape(len, tf.constant(new int[]{1})), tf.constant(
                tail)), tf.constant(0));
    }

    private Operand<TFloat32> linear(Operand<TFloat32> x, String prefix) {
        Operand<TFloat32> y = tf.linalg.matMul(x, reads.get(prefix + ".weight"));
        Operand<TFloat32> bias = reads.get(prefix + ".bias");
        if (bias != null) {
            // T5's projections have none. BiasAdd rather than a broadcast Add: TensorFlow's oneDNN remapper fuses
            // MatMul + BiasAdd into one kernel (side by side: 0.92 -> 1.01 of ONNX Runtime's inference speed at
            // length 128, 0.89 -> 0.91 at 64; docs/BENCHMARKS.md).
            y = tf.nn.biasAdd(y, bias);
        }
        Operand<TFloat32> a = reads.get(prefix + Lora.A);
        if (a == null) {
            return y;
        }
        // Through the rank-r bottleneck: two thin products, never the full-size A B.
        Operand<TFloat32> low = tf.linalg.matMul(tf.linalg.matMul(x, a), reads.get(prefix + Lora.B));
        return tf.math.add(y, tf.math.mul(tf.constant((float) options.lora().scale()), low));
    }

    /** BERT's multi-head self-attention of layer {@code l} over {@code x2} [batch * time, hidden], scaled. */
    private Operand<TFloat32> selfAttention(Operand<TFloat32> x2, String l, Operand<TInt32> heads,
            Operand<TFloat32> maskBias) {
        return attention(x2, x2, l + "attention.self.query", l + "attention.self.key", l + "attention.self.value", l
                + "attention.output.dense", heads, heads, maskBias, true);
    }

    /**
     * Multi-head attention of {@code queries} [batch * qLen, hidden] over {@code memory} [batch * kLen, hidden] (the
     * same operand for self-attention) through the named projections, the output projected. {@code scaled}: scores
     * divided by sqrt(head size), as BERT and GPT-2 do; T5 folds that into its initialisation.
     */
    private Operand<TFloat32> attention(Operand<TFloat32> queries, Operand<TFloat32> memory, String query,
            String key, String value, String output, Operand<TInt32> qShape, Operand<TInt32> kShape,
            Operand<TFloat32> bias, boolean scaled) {
        Operand<TInt32> perm = tf.constant(new int[]{0, 2, 1, 3});
        Operand<TFloat32> q = tf.linalg.transpose(tf.reshape(linear(queries, query), qShape), perm);
        Operand<TFloat32> k = tf.linalg.transpose(tf.reshape(linear(memory, key), kShape), perm);
        Operand<TFloat32> v = tf.linalg.transpose(tf.reshape(linear(memory, value), kShape), perm);
        Operand<TFloat32> scores = tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true));
        if (scaled) {
            scores = tf.math.mul(scores, tf.constant((float) (1.0 / Math.sqrt(config.headSize()))));
        }
        Operand<TFloat32> context = tf.train.batchMatMul(dropout(tf.nn.softmax(tf.math.add(scores, bias))), v,
                TFloat32.class);
        context = tf.reshape(tf.linalg.transpose(context, perm), tf.constant(new int[]{-1, config.hiddenSize()}));
        return linear(context, output);
    }

    /** The configured feed-forward non-linearity. */
    private Operand<TFloat32> activation(Operand<TFloat32> x) {
        return switch (config.activation()) {
            case EncoderConfig.GELU_TANH -> geluTanh(x);
            case EncoderConfig.RELU -> tf.nn.relu(x);
            default -> gelu(x);
        };
    }

    /** GPT-2's GELU: the tanh approximation. */
    private Operand<TFloat32> geluTanh(Operand<TFloat32> x) {
        Operand<TFloat32> cube = tf.math.mul(tf.math.mul(x, x), x);
        Operand<TFloat32> inner = tf.math.mul(tf.constant((float) Math.sqrt(2 / Math.PI)), tf.math.add(x, tf.math
                .mul(tf.constant(0.044715f), cube)));
        return tf.math.mul(tf.math.mul(tf.constant(0.5f), x), tf.math.add(tf.constant(1f), tf.math.tanh(inner)));
    }

    private Operand<TFloat32> layerNorm(Operand<TFloat32> x, String prefix) {
        Operand<TInt32> last = tf.constant(-1);
        Operand<TFloat32> mean = tf.math.mean(x, last, Mean.keepDims(true));
        Operand<TFloat32> centered = tf.math.sub(x, mean);
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), last, Mean.keepDims(true));
        Operand<TFloat32> normed = tf.math.mul(centered,
                tf.math.rsqrt(tf.math.add(variance, tf.constant((float) config.layerNormEps()))));
        return tf.math.add(tf.math.mul(normed, reads.get(prefix + ".weight")), reads.get(prefix + ".bias"));
    }

    private Operand<TFloat32> gelu(Operand<TFloat32> x) {
        Operand<TFloat32> cdf = tf.math.mul(tf.constant(0.5f),
                tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
        return tf.math.mul(x, cdf);
    }

    /**
     * Inverted dropout with the rate fed per run (0 at evaluation), so one graph serves both. The mask is a stateless
     * function of the fed key and the op's index: the same step draws the same masks in any session.
     */
    private Operand<TFloat32> dropout(Operand<TFloat32> x) {
        if (!options.training()) {
            return x;
        }
        long op = dropoutOps++;
        if (op >= DROPOUT_KEYS) {
            throw new IllegalStateException("more than " + DROPOUT_KEYS + " dropout ops");
        }
        Operand<TInt64> key = tf.math.add(dropoutKey, tf.constant(new long[]{0, op}));
        Operand<TFloat32> noise = tf.random.statelessRandomUniform(tf.shape(x), key, TFloat32.class);
        Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(noise, dropoutRate), TFloat32.class);
        return tf.math.div(tf.math.mul(x, keep), tf.math.sub(tf.constant(1f), dropoutRate));
    }

    private void buildTraining() {
        int numLabels = config.numLabels();
        labels = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        learningRate = scalarPlaceholder();
        weightDecay = scalarPlaceholder();
        clipNorm = scalarPlaceholder();

        float smoothing = (float) options.labelSmoothing();
        // A label below 0 marks a position without one (padding, special tokens, later word pieces of a word): it
        // weighs nothing. Each counted position weighs its label's class weight (1 without weights); the loss is the
        // weighted mean.
        Operand<TInt32> safe = tf.math.maximum(labels, tf.constant(0));
        Operand<TFloat32> valid = tf.dtypes.cast(tf.math.greaterEqual(labels, tf.constant(0)), TFloat32.class);
        Operand<TFloat32> target = tf.oneHot(safe, tf.constant(numLabels), tf.constant(1f - smoothing + smoothing
                / numLabels), tf.constant(smoothing / numLabels));
        Operand<TFloat32> logp = tf.nn.logSoftmax(logits);
        Operand<TFloat32> perExample = tf.math.neg(tf.sum(tf.math.mul(target, logp), tf.constant(1)));
        Operand<TFloat32> w = valid;
        if (options.classWeights() != null) {
            if (options.classWeights().length != numLabels) {
                throw new IllegalArgumentException(options.classWeights().length + " class weights for " + numLabels
                        + " labels");
            }
            // A weighted mean: a batch of one rare label is not scaled up as a whole, only relative to the others.
            w = tf.math.mul(tf.gather(tf.constant(options.classWeights()), safe, tf.constant(0)), valid);
        }
        lossWeight = tf.sum(w, tf.constant(0));
        loss = tf.math.div(tf.sum(tf.math.mul(w, perExample), tf.constant(0)), tf.math.maximum(lossWeight, tf
                .constant(1e-12f)));

        List<ParamSpec> all = new ArrayList<>(specs);
        all.addAll(loraSpecs);
        trainable = all.stream().filter(p -> options.trainable().contains(p.name())).toList();
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("no trainable parameters selected");
        }
        for (String name : options.trainable()) {
            if (!reads.containsKey(name)) {
                throw new IllegalArgumentException("no parameter '" + name + "' to train");
            }
        }
        boolean[] everything = new boolean[trainable.size()];
        java.util.Arrays.fill(everything, true);
        active = tf.placeholderWithDefault(tf.constant(everything), Shape.of(trainable.size()));

        Output<?>[] xs = trainable.stream().map(p -> reads.get(p.name()).asOutput()).toArray(Output[]::new);
        gradients = graph.addGradients(loss.asOutput(), xs);

        List<Op> resets = new ArrayList<>();
        List<Slot> state = new ArrayList<>();
        for (ParamSpec p : trainable) {
            for (String kind : options.optimizer() == Optimizer.ADAMW
                    ? List.of("adam.m", "adam.v")
                    : List.of(
                            "sgd.momentum")) {
                state.add(slot(kind + ":" + p.name(), p.shape()));
            }
            state.add(slot("steps:" + p.name(), new int[0]));
        }
        for (Slot s : state) {
            resets.add(tf.assign(s.variable(), tf.zeros(tf.constant(toLong(s.shape())), TFloat32.class)));
        }
        resetOptimizer = tf.withControlDependencies(resets).noOp();

        List<Operand<TFloat32>> grads = new ArrayList<>();
        for (Output<?> g : gradients) {
            grads.add(cast(g));
        }
        Update fused = buildUpdate(grads);
        gradNorm = fused.norm();
        update = fused.op();

        if (options.accumulate()) {
            // Sums of weighted gradients and of the weights.
            Variable<TFloat32> count = slot("accumulated:examples", new int[0]).variable();
            // A micro-batch counts with its loss weight (its labelled positions), so the quotient is the big batch's
            // weighted-mean gradient.
            Operand<TFloat32> n = lossWeight;
            List<Op> adds = new ArrayList<>();
            List<Op> clears = new ArrayList<>();
            List<Operand<TFloat32>> means = new ArrayList<>();
            Operand<TFloat32> countRead = tf.identity(count);
            for (int i = 0; i < trainable.size(); i++) {
                ParamSpec p = trainable.get(i);
                Variable<TFloat32> acc = slot("accumulated:" + p.name(), p.shape()).variable();
                adds.add(tf.assignAdd(acc, tf.math.mul(grads.get(i), n)));
                clears.add(tf.assign(acc, tf.zeros(tf.constant(toLong(p.shape())), TFloat32.class)));
                means.add(tf.math.div(tf.identity(acc), countRead));
            }
            adds.add(tf.assignAdd(count, n));
            clears.add(tf.assign(count, tf.constant(0f)));
            accumulateOp = tf.withControlDependencies(adds).noOp();
            clearAccumulatorsOp = tf.withControlDependencies(clears).noOp();
            Update applied = buildUpdate(means);
            accumulatedNorm = applied.norm();
            applyAccumulatedOp = applied.op();
        }
    }

    /**
     * The optimizer's update of every trainable parameter from {@code grads} (in {@link #trainable} order): the global
     * norm over the active parameters, clipping, then AdamW or SGD; inactive parameters and their state keep their
     * values exactly.
     */
    private Update buildUpdate(List<Operand<TFloat32>> grads) {
        List<Operand<TFloat32>> squares = new ArrayList<>();
        List<Operand<TBool>> on = new ArrayList<>();
        for (int i = 0; i < grads.size(); i++) {
            Operand<TBool> a = tf.gather(active, tf.constant(i), tf.constant(0));
            on.add(a);
            Operand<TFloat32> sq = tf.sum(tf.math.square(flat(grads.get(i))), tf.constant(0));
            squares.add(options.staged() ? tf.math.mul(sq, tf.dtypes.cast(a, TFloat32.class)) : sq);
        }
        Operand<TFloat32> norm = tf.math.sqrt(tf.math.addN(squares));
        // clip / max(norm, clip): 1 when under the limit.
        Operand<TFloat32> clipScale = tf.math.div(clipNorm, tf.math.maximum(norm, clipNorm));

        List<Op> assigns = new ArrayList<>();
        for (int i = 0; i < trainable.size(); i++) {
            ParamSpec p = trainable.get(i);
            Operand<TFloat32> param = reads.get(p.name());
            Operand<TFloat32> g = tf.math.mul(grads.get(i), clipScale);
            Operand<TFloat32> rate = tf.math.mul(learningRate, tf.constant((float) rateScale(p.name())));
            Variable<TFloat32> steps = slots.get("steps:" + p.name()).variable();
            Operand<TFloat32> t1 = tf.math.add(tf.identity(steps), tf.constant(1f));
            Operand<TFloat32> next;
            if (options.optimizer() == Optimizer.ADAMW) {
                Variable<TFloat32> m = slots.get("adam.m:" + p.name()).variable();
                Variable<TFloat32> v = slots.get("adam.v:" + p.name()).variable();
                Operand<TFloat32> mRead = tf.identity(m);
                Operand<TFloat32> vRead = tf.identity(v);
                Operand<TFloat32> m1 = tf.math.add(tf.math.mul(tf.constant(ADAM_BETA1), mRead),
                        tf.math.mul(tf.constant(1 - ADAM_BETA1), g));
                Operand<TFloat32> v1 = tf.math.add(tf.math.mul(tf.constant(ADAM_BETA2), vRead),
                        tf.math.mul(tf.constant(1 - ADAM_BETA2), tf.math.square(g)));
                // Bias corrections from this parameter's own step count.
                Operand<TFloat32> bc1 = tf.math.sub(tf.constant(1f), tf.math.pow(tf.constant(ADAM_BETA1), t1));
                Operand<TFloat32> bc2 = tf.math.sub(tf.constant(1f), tf.math.pow(tf.constant(ADAM_BETA2), t1));
                Operand<TFloat32> denom = tf.math.add(tf.math.div(tf.math.sqrt(v1), tf.math.sqrt(bc2)),
                        tf.constant(ADAM_EPS));
                next = tf.math.sub(param, tf.math.mul(tf.math.div(rate, bc1), tf.math.div(m1, denom)));
                if (p.decayed()) {
                    // Decoupled weight decay (AdamW): shrink the weight itself, not the gradient.
                    next = tf.math.sub(next, tf.math.mul(tf.math.mul(rate, weightDecay), param));
                }
                assigns.add(tf.assign(m, kept(on.get(i), m1, mRead)));
                assigns.add(tf.assign(v, kept(on.get(i), v1, vRead)));
            } else {
                Variable<TFloat32> buf = slots.get("sgd.momentum:" + p.name()).variable();
                Operand<TFloat32> bufRead = tf.identity(buf);
                if (p.decayed()) {
                    g = tf.math.add(g, tf.math.mul(weightDecay, param));
                }
                Operand<TFloat32> buf1 = tf.math.add(tf.math.mul(tf.constant((float) options.momentum()), bufRead),
                        g);
                next = tf.math.sub(param, tf.math.mul(rate, buf1));
                assigns.add(tf.assign(buf, kept(on.get(i), buf1, bufRead)));
            }
            assigns.add(tf.assign(steps, kept(on.get(i), t1, tf.identity(steps))));
            assigns.add(tf.assign(slots.get(p.name()).variable(), kept(on.get(i), next, param)));
        }
        return new Update(norm, tf.withControlDependencies(assigns).noOp());
    }

    /**
     * The updated value, or in a staged graph the old one where the parameter is inactive this step; an unstaged
     * graph updates every trainable parameter and needs no per-step choice (a full copy of each tensor per step).
     */
    private Operand<TFloat32> kept(Operand<TBool> on, Operand<TFloat32> updated, Operand<TFloat32> old) {
        return options.staged() ? tf.select(on, updated, old) : updated;
    }

    private record Update(Operand<TFloat32> norm, Op op) {
    }

    @SuppressWarnings("unchecked")
    private static Operand<TFloat32> cast(Output<?> o) {
        return (Operand<TFloat32>) o;
    }

    private Operand<TFloat32> flat(Operand<TFloat32> x) {
        return tf.reshape(x, tf.constant(new int[]{-1}));
    }

    /** The learning-rate factor of a parameter under {@link Options#layerDecay()}. */
    double rateScale(String name) {
        double decay = options.layerDecay();
        if (decay == 1.0 || name.startsWith(ParamSpec.CLASSIFIER) || name.startsWith(ParamSpec.FINAL_LN)) {
            return 1.0;
        }
        int layers = config.layers();
        if (config.encoderDecoder()) {
            // Depth order: shared embeddings, encoder blocks, decoder blocks; each stack's final norm with its top
            // block.
            if (name.startsWith(ParamSpec.T5_DECODER + ParamSpec.FINAL_NORM)) {
                return 1.0;
            }
            if (name.startsWith(ParamSpec.T5_ENCODER + ParamSpec.FINAL_NORM)) {
                return Math.pow(decay, layers);
            }
            for (int l = 0; l < layers; l++) {
                if (name.startsWith(ParamSpec.block(ParamSpec.T5_DECODER, l))) {
                    return Math.pow(decay, layers - l);
                }
                if (name.startsWith(ParamSpec.block(ParamSpec.T5_ENCODER, l))) {
                    return Math.pow(decay, 2 * layers - l);
                }
            }
            return Math.pow(decay, 2 * layers + 1);
        }
        if (name.startsWith(ParamSpec.SHARED_LAYER)) {
            // Every layer runs on the shared parameters: they cannot learn at per-layer rates.
            return decay;
        }
        for (int l = 0; l < layers; l++) {
            if (name.startsWith(ParamSpec.layer(l))) {
                return Math.pow(decay, layers - l);
            }
        }
        // Embeddings (and their layer norm) sit below the lowest layer.
        return Math.pow(decay, layers + 1);
    }

    private Placeholder<TFloat32> scalarPlaceholder() {
        return tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    }

    private static Shape shapeOf(int[] dims) {
        return Shape.of(toLong(dims));
    }

    private static long[] toLong(int[] dims) {
        long[] s = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = dims[i];
        }
        return s;
    }

    // ------------------------------------------------------------------ running

    /** Replaces every model parameter with the given values. */
    public void load(Weights weights) {
        Map<String, Weights.Tensor> model = new LinkedHashMap<>();
        for (ParamSpec p : specs) {
            model.put(p.name(), weights.get(p.name()));
        }
        assign(model);
    }

    private void assign(Map<String, Weights.Tensor> values) {
        List<TFloat32> tensors = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            values.forEach((name, w) -> {
                Slot s = slots.get(name);
                if (s == null) {
                    throw new IllegalArgumentException("the graph has no variable '" + name + "'");
                }
                if (!java.util.Arrays.equals(s.shape(), w.shape())) {
                    throw new IllegalArgumentException("variable '" + name + "' has shape " + java.util.Arrays
                            .toString(s.shape()) + ", given " + java.util.Arrays.toString(w.shape()));
                }
                TFloat32 t = TFloat32.tensorOf(shapeOf(w.shape()), DataBuffers.of(w.values(), true, false));
                tensors.add(t);
                runner.feed(s.feed(), t);
                runner.addTarget(s.assign());
            });
            runner.run().close();
        } finally {
            tensors.forEach(TFloat32::close);
        }
    }

    /** The model's parameters, copied out of the graph; adapters are merged into the weights they adapt. */
    public Weights weights() {
        return fetch(exported);
    }

    /**
     * Everything a resumed run needs, copied out of the graph: parameters and adapters unmerged, optimizer moments,
     * step counts and accumulators.
     */
    public Weights state() {
        Map<String, Operand<TFloat32>> all = new LinkedHashMap<>();
        slots.forEach((name, s) -> all.put(name, reads.containsKey(name)
                ? reads.get(name)
                : tf.identity(s
                        .variable())));
        return fetch(all);
    }

    /** Restores what {@link #state()} returned, from a graph built with the same configuration and options. */
    public void loadState(Weights state) {
        if (!state.tensors().keySet().equals(slots.keySet())) {
            java.util.Set<String> missing = new java.util.TreeSet<>(slots.keySet());
            missing.removeAll(state.tensors().keySet());
            java.util.Set<String> unknown = new java.util.TreeSet<>(state.tensors().keySet());
            unknown.removeAll(slots.keySet());
            throw new IllegalArgumentException("the state does not fit this graph: missing " + missing
                    + ", unknown " + unknown);
        }
        assign(state.tensors());
    }

    private Weights fetch(Map<String, Operand<TFloat32>> operands) {
        Session.Runner runner = session.runner();
        List<String> names = new ArrayList<>(operands.keySet());
        names.forEach(n -> runner.fetch(operands.get(n)));
        Map<String, Weights.Tensor> out = new LinkedHashMap<>();
        try (Result r = runner.run()) {
            for (int i = 0; i < names.size(); i++) {
                TFloat32 t = (TFloat32) r.get(i);
                int[] shape = new int[t.shape().numDimensions()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = (int) t.shape().get(d);
                }
                float[] values = new float[(int) t.shape().size()];
                t.copyTo(DataBuffers.of(values, false, false));
                out.put(names.get(i), new Weights.Tensor(shape, values));
            }
        }
        return new Weights(out);
    }

    /** Class probabilities for a padded batch, [batch][labels]. */
    public float[][] predict(Batch batch) {
        if (config.tokenClassification()) {
            throw new IllegalStateException("a token-classification model labels tokens: predictTokens");
        }
        return infer(batch, probabilities, t -> toMatrix(t, batch.size(), config.numLabels()));
    }

    /** Label probabilities of every position of a padded batch, [batch][time][labels]. */
    public float[][][] predictTokens(Batch batch) {
        if (!config.tokenClassification()) {
            throw new IllegalStateException("a sequence-classification model labels sequences: predict");
        }
        return infer(batch, probabilities, t -> {
            int len = batch.outputLength();
            float[][] flat = toMatrix(t, batch.size() * len, config.numLabels());
            float[][][] out = new float[batch.size()][len][];
            for (int i = 0; i < batch.size(); i++) {
                for (int j = 0; j < len; j++) {
                    out[i][j] = flat[i * len + j];
                }
            }
            return out;
        });
    }

    /**
     * The head's outputs before the softmax: [batch][labels], or for a model labelling positions [batch * time][labels]
     * (an encoder-decoder's time is the decoder's).
     */
    public float[][] logits(Batch batch) {
        int rows = config.tokenClassification() ? batch.size() * batch.outputLength() : batch.size();
        return infer(batch, logits, t -> toMatrix(t, rows, config.numLabels()));
    }

    /** The last hidden states of a padded batch, flat in [batch][time][hidden] order. */
    public float[] hiddenStates(Batch batch) {
        return infer(batch, lastHidden, t -> {
            float[] out = new float[batch.size() * batch.outputLength() * config.hiddenSize()];
            t.copyTo(DataBuffers.of(out, false, false));
            return out;
        });
    }

    /**
     * Writes the model as a TensorFlow SavedModel (tag {@code serve}) with a {@code serving_default} signature: inputs
     * {@code input_ids} (int32 [batch, time]), {@code attention_mask} (float32, 1 for real tokens) and
     * {@code token_type_ids} (int32, zeros for single texts), output {@code probabilities} ([batch, labels], or [batch * time, labels] for a
     * token model). An encoder-decoder's signature adds {@code decoder_input_ids} and {@code decoder_attention_mask}
     * (the target so far, starting with the pad id) and answers [batch * target time, vocabulary]. Only an inference
     * graph exports: it needs no dropout or optimizer inputs.
     */
    public void exportSavedModel(java.nio.file.Path dir) throws java.io.IOException {
        if (options.training()) {
            throw new IllegalStateException("export an inference graph (EncoderGraph.Options.inference)");
        }
        org.tensorflow.Signature.Builder builder = org.tensorflow.Signature.builder().key("serving_default")
                .input("input_ids", inputIds).input("attention_mask", attentionMask);
        if (config.encoderDecoder()) {
            builder.input("decoder_input_ids", decoderIds).input("decoder_attention_mask", decoderMask);
        } else {
            builder.input("token_type_ids", tokenTypes);
        }
        org.tensorflow.Signature signature = builder.output("probabilities", probabilities).build();
        org.tensorflow.SavedModelBundle.exporter(dir.toString()).withFunction(org.tensorflow.SessionFunction.create(
                signature, session)).export();
    }

    /** One forward pass without dropout, reading {@code fetch} before its tensor is closed. */
    private <T> T infer(Batch batch, Operand<TFloat32> fetch, java.util.function.Function<TFloat32, T> read) {
        try (Inputs in = new Inputs(batch);
                TFloat32 noDropout = TFloat32.scalarOf(0f)) {
            Session.Runner runner = in.feed(session.runner());
            if (options.training()) {
                runner.feed(dropoutRate, noDropout);
            }
            try (Result r = runner.fetch(fetch).run()) {
                return read.apply((TFloat32) r.get(0));
            }
        }
    }

    public record StepResult(float loss, float gradNorm) {
    }

    /** The training loss of a batch without dropout, changing nothing. */
    public float loss(Batch batch, int[] batchLabels) {
        requireTraining();
        try (Inputs in = new Inputs(batch);
                TInt32 y = TInt32.vectorOf(batchLabels);
                TFloat32 rate = TFloat32.scalarOf(0f);
                Result r = in.feed(session.runner()).feed(labels, y)
                        .feed(dropoutRate, rate).fetch(loss).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    /** The gradient of {@link #loss} with respect to each trainable parameter (unclipped), changing nothing. */
    public Map<String, float[]> gradients(Batch batch, int[] batchLabels) {
        requireTraining();
        try (Inputs in = new Inputs(batch);
                TInt32 y = TInt32.vectorOf(batchLabels);
                TFloat32 rate = TFloat32.scalarOf(0f)) {
            Session.Runner runner = in.feed(session.runner()).feed(labels, y)
                    .feed(dropoutRate, rate);
            for (Output<?> g : gradients) {
                runner.fetch(g);
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            try (Result r = runner.run()) {
                for (int i = 0; i < trainable.size(); i++) {
                    float[] v = new float[trainable.get(i).size()];
                    ((TFloat32) r.get(i)).copyTo(DataBuffers.of(v, false, false));
                    out.put(trainable.get(i).name(), v);
                }
            }
            return out;
        }
    }

    /** One optimisation step on one batch. */
    public StepResult trainStep(Batch batch, int[] batchLabels, Step step) {
        requireTraining();
        return run(batch, batchLabels, step, true);
    }

    /**
     * Adds a micro-batch's gradient to the accumulators (weighted by its examples) without updating; returns its loss.
     */
    public float accumulate(Batch batch, int[] batchLabels, Step step) {
        requireTraining();
        if (accumulateOp == null) {
            throw new IllegalStateException("graph was built without gradient accumulation");
        }
        return run(batch, batchLabels, step, false).loss();
    }

    /** One update from the mean of the accumulated gradients, then empty accumulators; returns the gradient norm. */
    public float applyAccumulated(Step step) {
        requireTraining();
        if (applyAccumulatedOp == null) {
            throw new IllegalStateException("graph was built without gradient accumulation");
        }
        float norm;
        try (Feeds f = new Feeds(step);
                Result r = f.feed(session.runner()).fetch(accumulatedNorm).addTarget(applyAccumulatedOp).run()) {
            norm = ((TFloat32) r.get(0)).getFloat();
        }
        session.run(clearAccumulatorsOp);
        return norm;
    }

    private StepResult run(Batch batch, int[] batchLabels, Step step, boolean fused) {
        try (Inputs in = new Inputs(batch);
                TInt32 y = TInt32.vectorOf(batchLabels);
                TFloat32 rate = TFloat32.scalarOf((float) step.dropout());
                TInt64 key = TInt64.vectorOf(options.seed(), step.randomKey() * DROPOUT_KEYS);
                Feeds f = new Feeds(step)) {
            Session.Runner runner = in.feed(f.feed(session.runner()))
                    .feed(labels, y).feed(dropoutRate, rate).feed(dropoutKey, key).fetch(loss);
            if (fused) {
                runner.fetch(gradNorm).addTarget(update);
            } else {
                runner.addTarget(accumulateOp);
            }
            try (Result r = runner.run()) {
                return new StepResult(((TFloat32) r.get(0)).getFloat(), fused
                        ? ((TFloat32) r.get(1)).getFloat()
                        : Float.NaN);
            }
        }
    }

    /** A batch's input tensors (the decoder's too), fed and closed together. */
    private final class Inputs implements AutoCloseable {
        private final TInt32 ids;
        private final TFloat32 mask;
        private final TInt32 targetIds;
        private final TFloat32 targetMask;
        private final TInt32 types;

        Inputs(Batch batch) {
            if (config.encoderDecoder() != (batch.decoder() != null)) {
                throw new IllegalArgumentException(config.encoderDecoder()
                        ? "an encoder-decoder needs the decoder's inputs (Batch.withDecoder)"
                        : "only an encoder-decoder takes decoder inputs");
            }
            ids = batch.idsTensor();
            mask = batch.maskTensor();
            targetIds = batch.decoder() == null ? null : batch.decoder().idsTensor();
            targetMask = batch.decoder() == null ? null : batch.decoder().maskTensor();
            types = batch.typesTensor();
        }

        Session.Runner feed(Session.Runner runner) {
            runner.feed(inputIds, ids).feed(attentionMask, mask);
            if (targetIds != null) {
                runner.feed(decoderIds, targetIds).feed(decoderMask, targetMask);
            }
            if (types != null) {
                runner.feed(tokenTypes, types);
            }
            return runner;
        }

        @Override
        public void close() {
            ids.close();
            mask.close();
            if (targetIds != null) {
                targetIds.close();
                targetMask.close();
            }
            if (types != null) {
                types.close();
            }
        }
    }

    /** The scalar feeds of an update, closed together. */
    private final class Feeds implements AutoCloseable {
        private final TFloat32 lr;
        private final TFloat32 wd;
        private final TFloat32 clip;
        private final TBool on;

        Feeds(Step step) {
            lr = TFloat32.scalarOf((float) step.learningRate());
            wd = TFloat32.scalarOf((float) step.weightDecay());
            clip = TFloat32.scalarOf(step.maxGradNorm() > 0 ? (float) step.maxGradNorm() : Float.MAX_VALUE);
            boolean[] flags = new boolean[trainable.size()];
            for (int i = 0; i < flags.length; i++) {
                flags[i] = step.active() == null || step.active().contains(trainable.get(i).name());
            }
            if (step.active() != null && !options.staged()) {
                throw new IllegalArgumentException("graph was not built for staged training");
            }
            on = TBool.vectorOf(flags);
        }

        Session.Runner feed(Session.Runner runner) {
            return runner.feed(learningRate, lr).feed(weightDecay, wd).feed(clipNorm, clip).feed(active, on);
        }

        @Override
        public void close() {
            lr.close();
            wd.close();
            clip.close();
            on.close();
        }
    }

    private void requireTraining() {
        if (!options.training()) {
            throw new IllegalStateException("graph was built for inference");
        }
    }

    private static float[][] toMatrix(TFloat32 t, int rows, int cols) {
        float[] flat = new float[rows * cols];
        t.copyTo(DataBuffers.of(flat, false, false));
        float[][] out = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, out[i], 0, cols);
        }
        return out;
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
