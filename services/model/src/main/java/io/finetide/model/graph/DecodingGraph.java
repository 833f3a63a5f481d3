package io.finetide.model.graph;

import java.util.ArrayList;
import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

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
public final class DecodingGraph extends KeyValueDecoding {

    /** The keys and values of every token so far, per layer, [rows, heads, length, head size]. */
    public static final class Cache implements AutoCloseable {
        private final AutoCloseable owner;
        final List<TFloat32> tensors;
        private final int rows;
        private final int length;

        Cache(AutoCloseable owner, List<TFloat32> tensors, int rows, int length) {
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
        super(config);
        int h = config.hiddenSize();
        List<Placeholder<TFloat32>> pastKeys = new ArrayList<>();
        List<Placeholder<TFloat32>> pastValues = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            pastKeys.add(cached());
            pastValues.add(cached());
        }
        Operand<TInt32> newLength = layers.lengthOf(ids);
        Operand<TInt32> pastLength = pastLength();
        Operand<TInt32> total = tf.math.add(pastLength, newLength);
        Operand<TFloat32> words = tf.gather(layers.param(ParamSpec.WORD_EMBEDDINGS), ids, tf.constant(0));
        Operand<TFloat32> positions = tf.gather(layers.param(ParamSpec.POSITION_EMBEDDINGS), tf.range(pastLength,
                total, tf.constant(1)), tf.constant(0));
        Operand<TFloat32> x = tf.reshape(tf.math.add(words, positions), tf.constant(new int[]{-1, h}));
        Operand<TFloat32> bias = futureBias(newLength, pastLength);
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
            kept.add(k);
            kept.add(v);
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
        open(tf.linalg.matMul(last, layers.param(ParamSpec.WORD_EMBEDDINGS), MatMul.transposeB(true)), threads);
    }

    /** The decoding graph of a decoder with its language-model head, holding {@code weights}. */
    public static DecodingGraph create(TransformerConfig config, Weights weights, int threads) {
        if (!config.decoder() || config.head() != Head.LANGUAGE_MODEL) {
            throw new IllegalArgumentException("decoding needs a decoder with its language-model head");
        }
        weights.requireCompatible(config);
        DecodingGraph g = new DecodingGraph(config, threads);
        g.assign(weights);
        return g;
    }

    @Override
    public Step start(int[][] prompts) {
        int rows = prompts.length;
        List<TFloat32> empty = new ArrayList<>();
        for (int i = 0; i < 2 * config.layers(); i++) {
            empty.add(empty(rows));
        }
        try (Cache none = fresh(empty, rows)) {
            return step(none, prompts);
        }
    }
}
