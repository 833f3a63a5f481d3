package io.finetide.model.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.layers.Dropout;
import io.finetide.model.layers.Layers;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A GPT-2-style decoder's language model run a few tokens at a time, keeping every layer's keys and values of the
 * tokens before (the key/value cache): a step computes only its new tokens and attends over the cached ones, so
 * generating n tokens costs n steps of one token each instead of n passes over the whole prefix.
 *
 * <p>
 * Rows of one call share a length (a prompt's beams, or one prompt per row of equal length); a step may reorder the
 * cache's rows ({@code order}), which is how beam search keeps the prefixes it continues. The cache stays in
 * TensorFlow tensors between steps and is never copied into Java.
 */
public final class DecodingGraph implements AutoCloseable {

    private static final float MASK_BIAS = -10000f;

    private final TransformerConfig config;
    private final Graph graph;
    private final Session session;
    private final Variables variables;
    private final Placeholder<TInt32> ids;
    private final Placeholder<TInt32> order;
    /** Each layer's cached keys and values with their rows picked by {@link #order} (beam search's reordering). */
    private final List<Operand<TFloat32>> reordered = new ArrayList<>();
    private final List<Placeholder<TFloat32>> pastKeys = new ArrayList<>();
    private final List<Placeholder<TFloat32>> pastValues = new ArrayList<>();
    private final List<Operand<TFloat32>> keys = new ArrayList<>();
    private final List<Operand<TFloat32>> values = new ArrayList<>();
    private final Operand<TFloat32> lastLogits;

    /** The keys and values of every token so far, per layer, [rows, heads, length, head size]. */
    public static final class Cache implements AutoCloseable {
        private final AutoCloseable owner;
        private final List<TFloat32> tensors;
        private final int rows;
        private final int length;

        private Cache(AutoCloseable owner, List<TFloat32> tensors, int rows, int length) {
            this.owner = owner;
            this.tensors = tensors;
            this.rows = rows;
            this.length = length;
        }

        public int rows() {
            return rows;
        }

        /** Tokens cached per row. */
        public int length() {
            return length;
        }

        @Override
        public void close() {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The next-token logits of each row, [rows][vocabulary], and the cache holding every token so far. */
    public record Step(float[][] logits, Cache cache) {
    }

    private DecodingGraph(TransformerConfig config, int threads) {
        this.config = config;
        this.graph = new Graph();
        Ops tf = Ops.create(graph);
        Variables variables = new Variables(tf);
        Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            reads.put(p.name(), tf.identity(variables.create(p.name(), p.shape())));
        }
        this.variables = variables;
        Layers layers = new Layers(tf, config, reads, null, Dropout.of(tf, false, null, null));
        ids = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        order = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        int h = config.hiddenSize();
        Shape cacheShape = Shape.of(-1, config.heads(), -1, config.headSize());
        for (int i = 0; i < config.layers(); i++) {
            pastKeys.add(tf.placeholder(TFloat32.class, Placeholder.shape(cacheShape)));
            pastValues.add(tf.placeholder(TFloat32.class, Placeholder.shape(cacheShape)));
        }
        Operand<TInt32> newLength = layers.lengthOf(ids);
        Operand<TInt32> pastLength = tf.reshape(tf.slice(tf.shape(pastKeys.get(0)), tf.constant(new int[]{2}), tf
                .constant(new int[]{1})), tf.constant(new int[0]));
        Operand<TInt32> total = tf.math.add(pastLength, newLength);
        Operand<TFloat32> words = tf.gather(layers.param(ParamSpec.WORD_EMBEDDINGS), ids, tf.constant(0));
        Operand<TFloat32> positions = tf.gather(layers.param(ParamSpec.POSITION_EMBEDDINGS), tf.range(pastLength,
                total, tf.constant(1)), tf.constant(0));
        Operand<TFloat32> x = tf.reshape(tf.math.add(words, positions), tf.constant(new int[]{-1, h}));
        // New position i (absolute past + i) sees every key j with j - i <= past.
        Operand<TFloat32> ones = tf.fill(tf.stack(List.of(newLength, total)), tf.constant(1f));
        Operand<TFloat32> future = tf.math.mul(tf.math.sub(tf.constant(1f), tf.linalg.bandPart(ones, tf.constant(-1),
                pastLength)), tf.constant(MASK_BIAS));
        Operand<TFloat32> bias = tf.expandDims(tf.expandDims(future, tf.constant(0)), tf.constant(0));
        Operand<TInt32> heads = layers.headsShape(newLength);
        Operand<TInt32> perm = tf.constant(new int[]{0, 2, 1, 3});
        for (int i = 0; i < config.layers(); i++) {
            String l = ParamSpec.layer(config, i);
            Operand<TFloat32> normed = layers.layerNorm(x, l + "attention.output.LayerNorm");
            Operand<TFloat32> q = tf.linalg.transpose(tf.reshape(layers.linear(normed, l + "attention.self.query"),
                    heads), perm);
            Operand<TFloat32> k = tf.concat(List.of(pastKeys.get(i), tf.linalg.transpose(tf.reshape(layers.linear(
                    normed, l + "attention.self.key"), heads), perm)), tf.constant(2));
            Operand<TFloat32> v = tf.concat(List.of(pastValues.get(i), tf.linalg.transpose(tf.reshape(layers.linear(
                    normed, l + "attention.self.value"), heads), perm)), tf.constant(2));
            // A separate fetch: greedy decoding and sampling never reorder, and a gather copies the whole cache.
            reordered.add(tf.gather(pastKeys.get(i), order, tf.constant(0)));
            reordered.add(tf.gather(pastValues.get(i), order, tf.constant(0)));
            keys.add(k);
            values.add(v);
            Operand<TFloat32> scores = tf.math.mul(tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true)),
                    tf.constant((float) (1.0 / Math.sqrt(config.headSize()))));
            Operand<TFloat32> context = tf.train.batchMatMul(tf.nn.softmax(tf.math.add(scores, bias)), v,
                    TFloat32.class);
            context = tf.reshape(tf.linalg.transpose(context, perm), tf.constant(new int[]{-1, h}));
            x = tf.math.add(x, layers.linear(context, l + "attention.output.dense"));
            Operand<TFloat32> inter = layers.activation(layers.linear(layers.layerNorm(x, l + "output.LayerNorm"), l
                    + "intermediate.dense"));
            x = tf.math.add(x, layers.linear(inter, l + "output.dense"));
        }
        x = layers.layerNorm(x, ParamSpec.FINAL_LN);
        Operand<TFloat32> last = tf.gather(tf.reshape(x, layers.timeShape(newLength, h)), tf.math.sub(newLength, tf
                .constant(1)), tf.constant(1));
        lastLogits = tf.linalg.matMul(last, layers.param(ParamSpec.WORD_EMBEDDINGS), MatMul.transposeB(true));
        ConfigProto proto = ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(threads).build();
        session = new Session(graph, proto);
    }

    /** The decoding graph of a decoder with its language-model head, holding {@code weights}. */
    public static DecodingGraph create(TransformerConfig config, Weights weights, int threads) {
        if (!config.decoder() || config.head() != Head.LANGUAGE_MODEL) {
            throw new IllegalArgumentException("decoding needs a decoder with its language-model head");
        }
        weights.requireCompatible(config);
        DecodingGraph g = new DecodingGraph(config, threads);
        try {
            g.variables.assignParameters(g.session, ParamSpec.forConfig(config), weights);
            return g;
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    public TransformerConfig config() {
        return config;
    }

    /** Reads prompts of one length, [rows][length], into a fresh cache. */
    public Step start(int[][] prompts) {
        int rows = prompts.length;
        List<TFloat32> empty = new ArrayList<>();
        for (int i = 0; i < 2 * config.layers(); i++) {
            empty.add(TFloat32.tensorOf(Shape.of(rows, config.heads(), 0, config.headSize())));
        }
        Cache none = new Cache(() -> empty.forEach(TFloat32::close), empty, rows, 0);
        try (none) {
            return step(none, prompts);
        }
    }

    /**
     * Appends one token to each row: row i continues the cached row {@code order[i]} with {@code tokens[i]}. The
     * given cache stays open; the caller closes it once it is no longer needed.
     */
    public Step next(Cache cache, int[] order, int[] tokens) {
        if (order.length != tokens.length) {
            throw new IllegalArgumentException(order.length + " rows ordered for " + tokens.length + " tokens");
        }
        int[][] column = new int[tokens.length][];
        boolean inOrder = order.length == cache.rows();
        for (int i = 0; i < tokens.length; i++) {
            column[i] = new int[]{tokens[i]};
            inOrder &= order[i] == i;
        }
        if (inOrder) {
            return step(cache, column);
        }
        try (Cache picked = reorder(cache, order)) {
            return step(picked, column);
        }
    }

    private Cache reorder(Cache cache, int[] rowOrder) {
        for (int r : rowOrder) {
            if (r < 0 || r >= cache.rows()) {
                throw new IllegalArgumentException("order names row " + r + " of a cache of " + cache.rows());
            }
        }
        try (TInt32 o = TInt32.vectorOf(rowOrder)) {
            Session.Runner runner = session.runner().feed(order, o);
            for (int i = 0; i < config.layers(); i++) {
                runner.feed(pastKeys.get(i), cache.tensors.get(2 * i)).feed(pastValues.get(i), cache.tensors.get(2
                        * i + 1));
            }
            reordered.forEach(runner::fetch);
            Result r = runner.run();
            List<TFloat32> kept = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                kept.add((TFloat32) r.get(i));
            }
            return new Cache(r, kept, rowOrder.length, cache.length());
        }
    }

    private Step step(Cache cache, int[][] tokens) {
        int length = tokens[0].length;
        for (int[] row : tokens) {
            if (row.length != length) {
                throw new IllegalArgumentException("rows of one step must have one length");
            }
        }
        if (tokens.length != cache.rows()) {
            throw new IllegalArgumentException(tokens.length + " rows for a cache of " + cache.rows());
        }
        if (cache.length() + length > config.maxPositions()) {
            throw new IllegalArgumentException("the model reads at most " + config.maxPositions() + " positions");
        }
        try (TInt32 in = TInt32.tensorOf(StdArrays.ndCopyOf(tokens))) {
            Session.Runner runner = session.runner().feed(ids, in).fetch(lastLogits);
            for (int i = 0; i < config.layers(); i++) {
                runner.feed(pastKeys.get(i), cache.tensors.get(2 * i)).feed(pastValues.get(i), cache.tensors.get(2
                        * i + 1));
                runner.fetch(keys.get(i)).fetch(values.get(i));
            }
            Result r = runner.run();
            List<TFloat32> kept = new ArrayList<>();
            for (int i = 1; i < r.size(); i++) {
                kept.add((TFloat32) r.get(i));
            }
            float[][] logits = Outputs.rows((TFloat32) r.get(0), tokens.length, config.vocabSize());
            return new Step(logits, new Cache(r, kept, tokens.length, cache.length() + length));
        }
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
