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
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.layers.Dropout;
import io.finetide.model.layers.Layers;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * What the cached decodings share: a graph reading the model's parameters, the cache's tensors fed back each step
 * (with a fetch that picks their rows for beam search), one token per row after the start, and the session.
 */
abstract class KeyValueDecoding implements CachedDecoder {

    static final float MASK_BIAS = -10000f;

    final TransformerConfig config;
    final Graph graph = new Graph();
    final Ops tf = Ops.create(graph);
    final Layers layers;
    final Placeholder<TInt32> ids;
    /** The cache's tensors in its order, as a step reads them, and the same with their rows picked by order. */
    final List<Placeholder<TFloat32>> past = new ArrayList<>();
    private final List<Operand<TFloat32>> reordered = new ArrayList<>();
    /** What a step fetches after the logits: the next cache, in the cache's order. */
    final List<Operand<TFloat32>> kept = new ArrayList<>();
    private final Variables variables = new Variables(tf);
    private final Placeholder<TInt32> order;
    private Operand<TFloat32> lastLogits;
    private Session session;

    KeyValueDecoding(TransformerConfig config) {
        this.config = config;
        Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            reads.put(p.name(), tf.identity(variables.create(p.name(), p.shape())));
        }
        layers = new Layers(tf, config, reads, null, Dropout.of(tf, false, null, null));
        ids = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        order = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    }

    /** A tensor of the cache, [rows, heads, length, head size], fed back each step. */
    final Placeholder<TFloat32> cached() {
        Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, config.heads(), -1,
                config.headSize())));
        past.add(p);
        // A separate fetch: greedy decoding and sampling never reorder, and a gather copies the whole cache.
        reordered.add(tf.gather(p, order, tf.constant(0)));
        return p;
    }

    /** How many tokens the cache holds, from its first tensor. */
    final Operand<TInt32> pastLength() {
        return tf.reshape(tf.slice(tf.shape(past.get(0)), tf.constant(new int[]{2}), tf.constant(new int[]{1})), tf
                .constant(new int[0]));
    }

    /** [1, 1, new, past + new]: new position i (absolute past + i) sees every key j with j - i <= past. */
    final Operand<TFloat32> futureBias(Operand<TInt32> newLength, Operand<TInt32> pastLength) {
        Operand<TFloat32> ones = tf.fill(tf.stack(List.of(newLength, tf.math.add(pastLength, newLength))), tf.constant(
                1f));
        Operand<TFloat32> future = tf.math.mul(tf.math.sub(tf.constant(1f), tf.linalg.bandPart(ones, tf.constant(-1),
                pastLength)), tf.constant(MASK_BIAS));
        return tf.expandDims(tf.expandDims(future, tf.constant(0)), tf.constant(0));
    }

    /** Ends the graph with each row's next-token logits and opens the session. */
    final void open(Operand<TFloat32> logits, int threads) {
        lastLogits = logits;
        ConfigProto proto = ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(threads).build();
        session = new Session(graph, proto);
    }

    final Session session() {
        return session;
    }

    /** Sets the parameters to {@code weights}; closes the graph when they do not fit. */
    final void assign(Weights weights) {
        try {
            variables.assignParameters(session, ParamSpec.forConfig(config), weights);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public final TransformerConfig config() {
        return config;
    }

    @Override
    public final DecodingGraph.Step next(DecodingGraph.Cache cache, int[] rowOrder, int[] tokens) {
        if (rowOrder.length != tokens.length) {
            throw new IllegalArgumentException(rowOrder.length + " rows ordered for " + tokens.length + " tokens");
        }
        int[][] column = new int[tokens.length][];
        boolean inOrder = rowOrder.length == cache.rows();
        for (int i = 0; i < tokens.length; i++) {
            column[i] = new int[]{tokens[i]};
            inOrder &= rowOrder[i] == i;
        }
        if (inOrder) {
            return step(cache, column);
        }
        try (DecodingGraph.Cache picked = reorder(cache, rowOrder)) {
            return step(picked, column);
        }
    }

    private DecodingGraph.Cache reorder(DecodingGraph.Cache cache, int[] rowOrder) {
        for (int r : rowOrder) {
            if (r < 0 || r >= cache.rows()) {
                throw new IllegalArgumentException("order names row " + r + " of a cache of " + cache.rows());
            }
        }
        try (TInt32 o = TInt32.vectorOf(rowOrder)) {
            Session.Runner runner = feed(session.runner().feed(order, o), cache);
            reordered.forEach(runner::fetch);
            Result r = runner.run();
            List<TFloat32> out = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                out.add((TFloat32) r.get(i));
            }
            return new DecodingGraph.Cache(r, out, rowOrder.length, cache.length());
        }
    }

    /** Reads {@code tokens}, rows of one length, after the cache: each row's next-token logits and the new cache. */
    final DecodingGraph.Step step(DecodingGraph.Cache cache, int[][] tokens) {
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
            Session.Runner runner = feed(session.runner().feed(ids, in).fetch(lastLogits), cache);
            kept.forEach(runner::fetch);
            Result r = runner.run();
            List<TFloat32> out = new ArrayList<>();
            for (int i = 1; i < r.size(); i++) {
                out.add((TFloat32) r.get(i));
            }
            float[][] logits = Outputs.rows((TFloat32) r.get(0), tokens.length, config.vocabSize());
            return new DecodingGraph.Step(logits, new DecodingGraph.Cache(r, out, tokens.length, cache.length()
                    + length));
        }
    }

    private Session.Runner feed(Session.Runner runner, DecodingGraph.Cache cache) {
        for (int i = 0; i < past.size(); i++) {
            runner.feed(past.get(i), cache.tensors.get(i));
        }
        return runner;
    }

    /** A cache of {@code tensors}, closed with it, holding no tokens yet. */
    static DecodingGraph.Cache fresh(List<TFloat32> tensors, int rows) {
        return new DecodingGraph.Cache(() -> tensors.forEach(TFloat32::close), tensors, rows, 0);
    }

    /** An empty cache tensor for {@code rows}. */
    final TFloat32 empty(int rows) {
        return TFloat32.tensorOf(Shape.of(rows, config.heads(), 0, config.headSize()));
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
        graph.close();
    }
}
