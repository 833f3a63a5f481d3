package io.finetide.model.graph;

import java.util.ArrayList;
import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.arch.EncoderDecoderStack;
import io.finetide.model.arch.RelativePositions;
import io.finetide.model.layers.Layers;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A T5's decoder run one token at a time over its source: {@link #start} encodes the source once and keeps, per
 * decoder layer, the cross-attention's keys and values of it beside the self-attention's growing keys and values, so
 * a new token costs one decoder step instead of a pass over the source and the whole prefix. The cache rows are
 * reordered together (beam search), as {@link DecodingGraph}'s are.
 */
public final class EncoderDecoderDecoding extends KeyValueDecoding {

    /** Per decoder layer in the cache: self-attention keys, values, then cross-attention keys, values. */
    private static final int PER_LAYER = 4;

    private final int decoderStart;
    private final Placeholder<TInt32> source;
    /** The cross-attention keys and values of the encoded source, per layer. */
    private final List<Operand<TFloat32>> encoded = new ArrayList<>();

    private EncoderDecoderDecoding(TransformerConfig config, int decoderStart, int threads) {
        super(config);
        this.decoderStart = decoderStart;
        int h = config.hiddenSize();
        Operand<TInt32> perm = tf.constant(new int[]{0, 2, 1, 3});

        // The source, read once: rows of one length, so no padding.
        source = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        Operand<TFloat32> memory = EncoderDecoderStack.encode(layers, source, tf.dtypes.cast(tf.onesLike(source),
                TFloat32.class));
        Operand<TInt32> sourceHeads = layers.headsShape(layers.lengthOf(source));
        for (int i = 0; i < config.layers(); i++) {
            String cross = ParamSpec.block(ParamSpec.T5_DECODER, i) + ParamSpec.CROSS_ATTENTION;
            encoded.add(heads(layers, memory, cross + ".k", sourceHeads, perm));
            encoded.add(heads(layers, memory, cross + ".v", sourceHeads, perm));
        }

        List<Placeholder<TFloat32>> cache = new ArrayList<>();
        for (int i = 0; i < PER_LAYER * config.layers(); i++) {
            cache.add(cached());
        }
        Operand<TInt32> newLength = layers.lengthOf(ids);
        Operand<TInt32> pastLength = pastLength();
        Operand<TFloat32> y = tf.reshape(tf.gather(layers.param(ParamSpec.SHARED), ids, tf.constant(0)), tf.constant(
                new int[]{-1, h}));
        // T5's bucketed distance bias of the new positions over every position so far, and no look ahead.
        Operand<TFloat32> selfBias = tf.math.add(RelativePositions.bias(layers, ParamSpec.T5_DECODER, pastLength,
                newLength, tf.math.add(pastLength, newLength), false), futureBias(newLength, pastLength));
        Operand<TInt32> heads = layers.headsShape(newLength);
        for (int i = 0; i < config.layers(); i++) {
            String b = ParamSpec.block(ParamSpec.T5_DECODER, i);
            String self = b + ParamSpec.SELF_ATTENTION;
            Operand<TFloat32> n = layers.rmsNorm(y, b + "layer.0.layer_norm.weight");
            Operand<TFloat32> k = tf.concat(List.of(cache.get(PER_LAYER * i), heads(layers, n, self + ".k", heads,
                    perm)), tf.constant(2));
            Operand<TFloat32> v = tf.concat(List.of(cache.get(PER_LAYER * i + 1), heads(layers, n, self + ".v", heads,
                    perm)), tf.constant(2));
            y = tf.math.add(y, attend(heads(layers, n, self + ".q", heads, perm), k, v, selfBias, self + ".o", perm));
            String cross = b + ParamSpec.CROSS_ATTENTION;
            n = layers.rmsNorm(y, b + "layer.1.layer_norm.weight");
            Operand<TFloat32> crossKeys = tf.identity(cache.get(PER_LAYER * i + 2));
            Operand<TFloat32> crossValues = tf.identity(cache.get(PER_LAYER * i + 3));
            kept.addAll(List.of(k, v, crossKeys, crossValues));
            y = tf.math.add(y, attend(heads(layers, n, cross + ".q", heads, perm), crossKeys, crossValues, null, cross
                    + ".o", perm));
            y = tf.math.add(y, EncoderDecoderStack.feedForward(layers, layers.rmsNorm(y, b
                    + "layer.2.layer_norm.weight"), b + "layer.2"));
        }
        y = layers.rmsNorm(y, ParamSpec.T5_DECODER + ParamSpec.FINAL_NORM);
        Operand<TFloat32> last = tf.gather(tf.reshape(y, layers.timeShape(newLength, h)), tf.math.sub(newLength, tf
                .constant(1)), tf.constant(1));
        // T5's tied head: the decoder's output rescaled by d^-0.5 against the shared embeddings.
        open(tf.linalg.matMul(tf.math.mul(last, tf.constant((float) Math.pow(h, -0.5))), layers.param(
                ParamSpec.SHARED), MatMul.transposeB(true)), threads);
    }

    private Operand<TFloat32> heads(Layers layers, Operand<TFloat32> x, String projection, Operand<TInt32> shape,
            Operand<TInt32> perm) {
        return tf.linalg.transpose(tf.reshape(layers.linear(x, projection), shape), perm);
    }

    /** T5's attention, unscaled, of per-head queries over per-head keys and values, through {@code output}. */
    private Operand<TFloat32> attend(Operand<TFloat32> q, Operand<TFloat32> k, Operand<TFloat32> v,
            Operand<TFloat32> bias, String output, Operand<TInt32> perm) {
        Operand<TFloat32> scores = tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true));
        if (bias != null) {
            scores = tf.math.add(scores, bias);
        }
        Operand<TFloat32> context = tf.train.batchMatMul(tf.nn.softmax(scores), v, TFloat32.class);
        return layers.linear(tf.reshape(tf.linalg.transpose(context, perm), tf.constant(new int[]{-1, config
                .hiddenSize()})), output);
    }

    /** The cached decoding of a T5 holding {@code weights}, its decoder starting from {@code decoderStart}. */
    public static EncoderDecoderDecoding create(TransformerConfig config, Weights weights, int decoderStart,
            int threads) {
        if (!config.encoderDecoder() || !config.languageModel()) {
            throw new IllegalArgumentException("this decoding needs an encoder-decoder with its language-model head");
        }
        weights.requireCompatible(config);
        EncoderDecoderDecoding g = new EncoderDecoderDecoding(config, decoderStart, threads);
        g.assign(weights);
        return g;
    }

    /** Encodes the sources, [rows][length] of one length, and reads the decoder's start token after them. */
    @Override
    public DecodingGraph.Step start(int[][] sources) {
        int rows = sources.length;
        List<TFloat32> cache = new ArrayList<>();
        try (TInt32 in = TInt32.tensorOf(StdArrays.ndCopyOf(sources))) {
            Session.Runner runner = session().runner().feed(source, in);
            encoded.forEach(runner::fetch);
            try (Result r = runner.run()) {
                for (int i = 0; i < config.layers(); i++) {
                    cache.add(empty(rows));
                    cache.add(empty(rows));
                    // Held by the cache below, which outlives this result.
                    cache.add(copy((TFloat32) r.get(2 * i)));
                    cache.add(copy((TFloat32) r.get(2 * i + 1)));
                }
            }
        }
        int[][] first = new int[rows][];
        for (int i = 0; i < rows; i++) {
            first[i] = new int[]{decoderStart};
        }
        try (DecodingGraph.Cache encodedOnly = fresh(cache, rows)) {
            return step(encodedOnly, first);
        }
    }

    private static TFloat32 copy(TFloat32 t) {
        TFloat32 out = TFloat32.tensorOf(t.shape());
        t.copyTo(out);
        return out;
    }
}
