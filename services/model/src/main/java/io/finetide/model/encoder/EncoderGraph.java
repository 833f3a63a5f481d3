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
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A BERT-style encoder with a sequence-classification head, built as a TensorFlow graph (post-LayerNorm, erf-GELU,
 * padding mask, mean or [CLS] pooling). In training mode it also holds the loss, the gradients of the trainable
 * parameters, global-norm clipping and an AdamW update; one {@link #trainStep} is one session run.
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

    /**
     * @param classWeights the loss weight of each label (an example counts with its label's weight), or null for
     *                     equal weights
     * @param layerDecay   discriminative fine-tuning: the head learns at the full rate, the top encoder layer at
     *                     {@code layerDecay} times it, each layer below at {@code layerDecay} times the one above, the
     *                     embeddings below the lowest layer; 1 gives every parameter the same rate
     */
    public record Options(boolean training, Set<String> trainable, long seed, int threads, double labelSmoothing,
            float[] classWeights, double layerDecay) {
        public Options(boolean training, Set<String> trainable, long seed, int threads, double labelSmoothing) {
            this(training, trainable, seed, threads, labelSmoothing, null, 1.0);
        }

        public Options {
            if (layerDecay <= 0 || layerDecay > 1) {
                throw new IllegalArgumentException("layer decay must be in (0, 1], got " + layerDecay);
            }
        }

        public static Options inference(int threads) {
            return new Options(false, Set.of(), 0, threads, 0);
        }
    }

    private final EncoderConfig config;
    private final Options options;
    private final Graph graph;
    private final Session session;
    private final Ops tf;
    private final List<ParamSpec> specs;
    private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
    private final Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
    private final Map<String, Placeholder<TFloat32>> loadFeeds = new LinkedHashMap<>();
    private final List<Op> loadOps = new ArrayList<>();
    private final Placeholder<TInt32> inputIds;
    private final Placeholder<TFloat32> attentionMask;
    private final Placeholder<TFloat32> dropoutRate;
    private final Operand<TFloat32> logits;
    private final Operand<TFloat32> probabilities;
    private long randomOpCounter;
    /** [batch, time, hidden]: the encoder's last hidden states, before pooling. */
    private Operand<TFloat32> lastHidden;

    // Training only.
    private Placeholder<TInt32> labels;
    private Placeholder<TFloat32> stepSize;
    private Placeholder<TFloat32> invSqrtBiasCorrection2;
    private Placeholder<TFloat32> decayRate;
    private Placeholder<TFloat32> clipNorm;
    private Operand<TFloat32> loss;
    private Operand<TFloat32> gradNorm;
    private Op update;
    private Op resetOptimizer;

    private EncoderGraph(EncoderConfig config, Options options) {
        this.config = config;
        this.options = options;
        this.graph = new Graph();
        this.tf = Ops.create(graph);
        this.specs = ParamSpec.forConfig(config);
        for (ParamSpec p : specs) {
            Shape shape = shapeOf(p.shape());
            Variable<TFloat32> v = tf.variable(shape, TFloat32.class);
            Placeholder<TFloat32> feed = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
            variables.put(p.name(), v);
            reads.put(p.name(), tf.identity(v));
            loadFeeds.put(p.name(), feed);
            loadOps.add(tf.assign(v, feed));
        }
        inputIds = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        attentionMask = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
        dropoutRate = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        logits = buildClassifier();
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

    /** A graph holding {@code weights}; in training mode with fresh optimizer state. */
    public static EncoderGraph create(EncoderConfig config, Weights weights, Options options) {
        weights.requireCompatible(config);
        EncoderGraph g = new EncoderGraph(config, options);
        try {
            g.load(weights);
            if (options.training()) {
                g.session.run(g.resetOptimizer);
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
        Operand<TInt32> seqLen = tf.reshape(tf.slice(tf.shape(inputIds), tf.constant(new int[]{1}),
                tf.constant(new int[]{1})), tf.constant(new int[0]));
        Operand<TFloat32> x = tf.gather(reads.get(ParamSpec.WORD_EMBEDDINGS), inputIds, tf.constant(0));
        Operand<TFloat32> pos = tf.gather(reads.get(ParamSpec.POSITION_EMBEDDINGS),
                tf.range(tf.constant(0), seqLen, tf.constant(1)), tf.constant(0));
        Operand<TFloat32> type = tf.gather(reads.get(ParamSpec.TYPE_EMBEDDINGS), tf.constant(0), tf.constant(0));
        x = tf.math.add(tf.math.add(x, pos), type);
        Operand<TFloat32> x2 = tf.reshape(x, tf.constant(new int[]{-1, h}));
        x2 = dropout(layerNorm(x2, ParamSpec.EMBEDDINGS_LN));

        // [B, 1, 1, T]: 0 where a token is real, MASK_BIAS where it is padding.
        Operand<TFloat32> maskBias = tf.math.mul(tf.math.sub(tf.constant(1f), attentionMask), tf.constant(MASK_BIAS));
        maskBias = tf.expandDims(tf.expandDims(maskBias, tf.constant(1)), tf.constant(1));
        Operand<TInt32> headsShape = tf.concat(List.of(tf.constant(new int[]{-1}), tf.reshape(seqLen,
                tf.constant(new int[]{1})), tf.constant(new int[]{config.heads(), config.headSize()})),
                tf.constant(0));
        Operand<TInt32> perm = tf.constant(new int[]{0, 2, 1, 3});
        Operand<TFloat32> scale = tf.constant((float) (1.0 / Math.sqrt(config.headSize())));

        for (int i = 0; i < config.layers(); i++) {
            String l = ParamSpec.layer(i);
            Operand<TFloat32> q = tf.linalg.transpose(tf.reshape(linear(x2, l + "attention.self.query"), headsShape),
                    perm);
            Operand<TFloat32> k = tf.linalg.transpose(tf.reshape(linear(x2, l + "attention.self.key"), headsShape),
                    perm);
            Operand<TFloat32> v = tf.linalg.transpose(tf.reshape(linear(x2, l + "attention.self.value"), headsShape),
                    perm);
            Operand<TFloat32> scores = tf.math.add(
                    tf.math.mul(tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true)), scale), maskBias);
            Operand<TFloat32> attn = dropout(tf.nn.softmax(scores));
            Operand<TFloat32> context = tf.train.batchMatMul(attn, v, TFloat32.class);
            context = tf.reshape(tf.linalg.transpose(context, perm), tf.constant(new int[]{-1, h}));
            Operand<TFloat32> attnOut = dropout(linear(context, l + "attention.output.dense"));
            x2 = layerNorm(tf.math.add(x2, attnOut), l + "attention.output.LayerNorm");
            Operand<TFloat32> inter = gelu(linear(x2, l + "intermediate.dense"));
            Operand<TFloat32> out = dropout(linear(inter, l + "output.dense"));
            x2 = layerNorm(tf.math.add(x2, out), l + "output.LayerNorm");
        }

        Operand<TInt32> hiddenShape = tf.concat(List.of(tf.constant(new int[]{-1}), tf.reshape(seqLen,
                tf.constant(new int[]{1})), tf.constant(new int[]{h})), tf.constant(0));
        Operand<TFloat32> hidden = tf.reshape(x2, hiddenShape);
        lastHidden = hidden;
        Operand<TFloat32> pooled;
        if (config.pooling().equals("cls")) {
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

    private Operand<TFloat32> linear(Operand<TFloat32> x, String prefix) {
        return tf.math.add(tf.linalg.matMul(x, reads.get(prefix + ".weight")), reads.get(prefix + ".bias"));
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

    /** Inverted dropout with the rate fed per run (0 at evaluation), so one graph serves both. */
    private Operand<TFloat32> dropout(Operand<TFloat32> x) {
        if (!options.training()) {
            return x;
        }
        Operand<TFloat32> noise = tf.random.randomUniform(tf.shape(x), TFloat32.class,
                RandomUniform.seed(options.seed()), RandomUniform.seed2(++randomOpCounter));
        Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(noise, dropoutRate), TFloat32.class);
        return tf.math.div(tf.math.mul(x, keep), tf.math.sub(tf.constant(1f), dropoutRate));
    }

    private void buildTraining() {
        int numLabels = config.numLabels();
        labels = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        stepSize = scalarPlaceholder();
        invSqrtBiasCorrection2 = scalarPlaceholder();
        decayRate = scalarPlaceholder();
        clipNorm = scalarPlaceholder();

        float smoothing = (float) options.labelSmoothing();
        Operand<TFloat32> target = tf.oneHot(labels, tf.constant(numLabels), tf.constant(1f - smoothing
                + smoothing / numLabels), tf.constant(smoothing / numLabels));
        Operand<TFloat32> logp = tf.nn.logSoftmax(logits);
        Operand<TFloat32> perExample = tf.math.neg(tf.sum(tf.math.mul(target, logp), tf.constant(1)));
        if (options.classWeights() == null) {
            loss = tf.math.mean(perExample, tf.constant(0));
        } else {
            if (options.classWeights().length != numLabels) {
                throw new IllegalArgumentException(options.classWeights().length + " class weights for " + numLabels
                        + " labels");
            }
            // A weighted mean: a batch of one rare label is not scaled up as a whole, only relative to the others.
            Operand<TFloat32> w = tf.gather(tf.constant(options.classWeights()), labels, tf.constant(0));
            loss = tf.math.div(tf.sum(tf.math.mul(w, perExample), tf.constant(0)), tf.sum(w, tf.constant(0)));
        }

        List<ParamSpec> trainable = specs.stream().filter(p -> options.trainable().contains(p.name())).toList();
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("no trainable parameters selected");
        }
        Output<?>[] xs = trainable.stream().map(p -> reads.get(p.name()).asOutput()).toArray(Output[]::new);
        Output<?>[] grads = graph.addGradients(loss.asOutput(), xs);

        List<Operand<TFloat32>> squares = new ArrayList<>();
        for (Output<?> g : grads) {
            squares.add(tf.sum(tf.math.square(flat(cast(g))), tf.constant(0)));
        }
        gradNorm = tf.math.sqrt(tf.math.addN(squares));
        // clip / max(norm, clip): 1 when under the limit.
        Operand<TFloat32> clipScale = tf.math.div(clipNorm, tf.math.maximum(gradNorm, clipNorm));

        List<Op> assigns = new ArrayList<>();
        List<Op> resets = new ArrayList<>();
        for (int i = 0; i < trainable.size(); i++) {
            ParamSpec p = trainable.get(i);
            Shape shape = shapeOf(p.shape());
            Variable<TFloat32> m = tf.variable(shape, TFloat32.class);
            Variable<TFloat32> v = tf.variable(shape, TFloat32.class);
            Operand<TFloat32> zeros = tf.zeros(tf.constant(toLong(p.shape())), TFloat32.class);
            resets.add(tf.assign(m, zeros));
            resets.add(tf.assign(v, zeros));
            Operand<TFloat32> g = tf.math.mul(cast(grads[i]), clipScale);
            Operand<TFloat32> m1 = tf.math.add(tf.math.mul(tf.constant(ADAM_BETA1), m),
                    tf.math.mul(tf.constant(1 - ADAM_BETA1), g));
            Operand<TFloat32> v1 = tf.math.add(tf.math.mul(tf.constant(ADAM_BETA2), v),
                    tf.math.mul(tf.constant(1 - ADAM_BETA2), tf.math.square(g)));
            Operand<TFloat32> denom = tf.math.add(tf.math.mul(tf.math.sqrt(v1), invSqrtBiasCorrection2),
                    tf.constant(ADAM_EPS));
            Operand<TFloat32> param = reads.get(p.name());
            Operand<TFloat32> scale = tf.constant((float) rateScale(p.name()));
            Operand<TFloat32> next = tf.math.sub(param, tf.math.mul(tf.math.mul(stepSize, scale), tf.math.div(m1,
                    denom)));
            if (p.decayed()) {
                // Decoupled weight decay (AdamW): shrink the weight itself, not the gradient.
                next = tf.math.sub(next, tf.math.mul(tf.math.mul(decayRate, scale), param));
            }
            assigns.add(tf.assign(m, m1));
            assigns.add(tf.assign(v, v1));
            assigns.add(tf.assign(variables.get(p.name()), next));
        }
        update = tf.withControlDependencies(assigns).noOp();
        resetOptimizer = tf.withControlDependencies(resets).noOp();
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
        if (decay == 1.0 || name.startsWith(ParamSpec.CLASSIFIER)) {
            return 1.0;
        }
        int layers = config.layers();
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

    /** Replaces every parameter with the given values. */
    public void load(Weights weights) {
        List<TFloat32> tensors = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (ParamSpec p : specs) {
                Weights.Tensor w = weights.get(p.name());
                TFloat32 t = TFloat32.tensorOf(shapeOf(w.shape()), DataBuffers.of(w.values(), true, false));
                tensors.add(t);
                runner.feed(loadFeeds.get(p.name()), t);
            }
            loadOps.forEach(runner::addTarget);
            runner.run().close();
        } finally {
            tensors.forEach(TFloat32::close);
        }
    }

    /** The current parameter values, copied out of the graph. */
    public Weights weights() {
        Session.Runner runner = session.runner();
        specs.forEach(p -> runner.fetch(reads.get(p.name())));
        Map<String, Weights.Tensor> out = new LinkedHashMap<>();
        try (Result r = runner.run()) {
            for (int i = 0; i < specs.size(); i++) {
                ParamSpec p = specs.get(i);
                float[] values = new float[p.size()];
                ((TFloat32) r.get(i)).copyTo(DataBuffers.of(values, false, false));
                out.put(p.name(), new Weights.Tensor(p.shape().clone(), values));
            }
        }
        return new Weights(out);
    }

    /** Class probabilities for a padded batch, [batch][labels]. */
    public float[][] predict(Batch batch) {
        return infer(batch, probabilities, t -> toMatrix(t, batch.size(), config.numLabels()));
    }

    /** The last hidden states of a padded batch, flat in [batch][time][hidden] order. */
    public float[] hiddenStates(Batch batch) {
        return infer(batch, lastHidden, t -> {
            float[] out = new float[batch.size() * batch.length() * config.hiddenSize()];
            t.copyTo(DataBuffers.of(out, false, false));
            return out;
        });
    }

    /** One forward pass without dropout, reading {@code fetch} before its tensor is closed. */
    private <T> T infer(Batch batch, Operand<TFloat32> fetch, java.util.function.Function<TFloat32, T> read) {
        try (TInt32 ids = batch.idsTensor();
                TFloat32 mask = batch.maskTensor();
                TFloat32 noDropout = TFloat32.scalarOf(0f)) {
            Session.Runner runner = session.runner().feed(inputIds, ids).feed(attentionMask, mask);
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

    /**
     * One optimisation step.
     *
     * @param stepSize learning rate divided by Adam's first bias correction
     * @param invSqrtBc2 1 / sqrt(1 - beta2^t)
     * @param decay learning rate times weight decay
     * @param maxGradNorm global-norm clip (a huge value disables clipping)
     */
    public StepResult trainStep(Batch batch, int[] batchLabels, float stepSize, float invSqrtBc2, float decay,
            float maxGradNorm, float dropout) {
        if (!options.training()) {
            throw new IllegalStateException("graph was built for inference");
        }
        try (TInt32 ids = batch.idsTensor();
                TFloat32 mask = batch.maskTensor();
                TInt32 y = TInt32.vectorOf(batchLabels);
                TFloat32 s = TFloat32.scalarOf(stepSize);
                TFloat32 bc = TFloat32.scalarOf(invSqrtBc2);
                TFloat32 d = TFloat32.scalarOf(decay);
                TFloat32 c = TFloat32.scalarOf(maxGradNorm);
                TFloat32 rate = TFloat32.scalarOf(dropout);
                Result r = session.runner()
                        .feed(inputIds, ids).feed(attentionMask, mask).feed(labels, y)
                        .feed(this.stepSize, s).feed(invSqrtBiasCorrection2, bc).feed(decayRate, d)
                        .feed(clipNorm, c).feed(dropoutRate, rate)
                        .fetch(loss).fetch(gradNorm).addTarget(update).run()) {
            return new StepResult(((TFloat32) r.get(0)).getFloat(), ((TFloat32) r.get(1)).getFloat());
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
