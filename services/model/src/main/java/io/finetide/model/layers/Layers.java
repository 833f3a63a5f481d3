package io.finetide.model.layers;

import java.util.List;
import java.util.Map;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.adapters.Lora;
import io.finetide.model.transformer.TransformerConfig;

/**
 * The building blocks every architecture shares: projections (with their LoRA bottleneck), multi-head attention,
 * LayerNorm and RMS norm, the feed-forward non-linearities, attention masks and the shape operands they need. Each
 * reads its parameters by name from the graph's parameter reads.
 */
public final class Layers {

    /** What a masked attention score gets added: far below any real score, and still finite in float32. */
    private static final float MASK_BIAS = -10000f;

    private final Ops tf;
    private final TransformerConfig config;
    private final Map<String, Operand<TFloat32>> params;
    private final Lora lora;
    private final Dropout dropout;

    /**
     * @param params every parameter's read by name (adapters included)
     * @param lora   the adapters {@code params} holds, or null
     */
    public Layers(Ops tf, TransformerConfig config, Map<String, Operand<TFloat32>> params, Lora lora,
            Dropout dropout) {
        this.tf = tf;
        this.config = config;
        this.params = params;
        this.lora = lora;
        this.dropout = dropout;
    }

    public Ops tf() {
        return tf;
    }

    public TransformerConfig config() {
        return config;
    }

    public Operand<TFloat32> param(String name) {
        return params.get(name);
    }

    public Operand<TFloat32> dropout(Operand<TFloat32> x) {
        return dropout.apply(x);
    }

    /** {@code x W + b} of the named projection, plus its LoRA path when it is adapted. */
    public Operand<TFloat32> linear(Operand<TFloat32> x, String prefix) {
        Operand<TFloat32> y = tf.linalg.matMul(x, params.get(prefix + ".weight"));
        Operand<TFloat32> bias = params.get(prefix + ".bias");
        if (bias != null) {
            // T5's projections have none. BiasAdd rather than a broadcast Add: TensorFlow's oneDNN remapper fuses
            // MatMul + BiasAdd into one kernel (side by side: 0.92 -> 1.01 of ONNX Runtime's inference speed at
            // length 128, 0.89 -> 0.91 at 64; docs/BENCHMARKS.md).
            y = tf.nn.biasAdd(y, bias);
        }
        Operand<TFloat32> a = params.get(prefix + Lora.A);
        if (a == null) {
            return y;
        }
        // Through the rank-r bottleneck: two thin products, never the full-size A B.
        Operand<TFloat32> low = tf.linalg.matMul(tf.linalg.matMul(x, a), params.get(prefix + Lora.B));
        return tf.math.add(y, tf.math.mul(tf.constant((float) lora.scale()), low));
    }

    /**
     * Multi-head attention of {@code queries} [batch * qLen, hidden] over {@code memory} [batch * kLen, hidden] (the
     * same operand for self-attention) through the named projections, the output projected. {@code scaled}: scores
     * divided by sqrt(head size), as BERT and GPT-2 do; T5 folds that into its initialisation.
     */
    public Operand<TFloat32> attention(Operand<TFloat32> queries, Operand<TFloat32> memory, Projections names,
            Operand<TInt32> qShape, Operand<TInt32> kShape, Operand<TFloat32> bias, boolean scaled) {
        Operand<TInt32> perm = tf.constant(new int[]{0, 2, 1, 3});
        Operand<TFloat32> q = tf.linalg.transpose(tf.reshape(linear(queries, names.query()), qShape), perm);
        Operand<TFloat32> k = tf.linalg.transpose(tf.reshape(linear(memory, names.key()), kShape), perm);
        Operand<TFloat32> v = tf.linalg.transpose(tf.reshape(linear(memory, names.value()), kShape), perm);
        Operand<TFloat32> scores = tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true));
        if (scaled) {
            scores = tf.math.mul(scores, tf.constant((float) (1.0 / Math.sqrt(config.headSize()))));
        }
        Operand<TFloat32> context = tf.train.batchMatMul(dropout(tf.nn.softmax(tf.math.add(scores, bias))), v,
                TFloat32.class);
        context = tf.reshape(tf.linalg.transpose(context, perm), tf.constant(new int[]{-1, config.hiddenSize()}));
        return linear(context, names.output());
    }

    /** The four projections of one attention block, by their parameter prefixes. */
    public record Projections(String query, String key, String value, String output) {
    }

    /** The configured feed-forward non-linearity. */
    public Operand<TFloat32> activation(Operand<TFloat32> x) {
        return switch (config.activation()) {
            case GELU_TANH -> geluTanh(x);
            case RELU -> tf.nn.relu(x);
            case GELU -> gelu(x);
        };
    }

    /** GPT-2's GELU: the tanh approximation. */
    private Operand<TFloat32> geluTanh(Operand<TFloat32> x) {
        Operand<TFloat32> cube = tf.math.mul(tf.math.mul(x, x), x);
        Operand<TFloat32> inner = tf.math.mul(tf.constant((float) Math.sqrt(2 / Math.PI)), tf.math.add(x, tf.math
                .mul(tf.constant(0.044715f), cube)));
        return tf.math.mul(tf.math.mul(tf.constant(0.5f), x), tf.math.add(tf.constant(1f), tf.math.tanh(inner)));
    }

    private Operand<TFloat32> gelu(Operand<TFloat32> x) {
        Operand<TFloat32> cdf = tf.math.mul(tf.constant(0.5f),
                tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
        return tf.math.mul(x, cdf);
    }

    public Operand<TFloat32> layerNorm(Operand<TFloat32> x, String prefix) {
        Operand<TInt32> last = tf.constant(-1);
        Operand<TFloat32> mean = tf.math.mean(x, last, Mean.keepDims(true));
        Operand<TFloat32> centered = tf.math.sub(x, mean);
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), last, Mean.keepDims(true));
        Operand<TFloat32> normed = tf.math.mul(centered,
                tf.math.rsqrt(tf.math.add(variance, tf.constant((float) config.layerNormEps()))));
        return tf.math.add(tf.math.mul(normed, params.get(prefix + ".weight")), params.get(prefix + ".bias"));
    }

    /** T5's LayerNorm: a root-mean-square rescale with a gain, no centring and no shift. */
    public Operand<TFloat32> rmsNorm(Operand<TFloat32> x, String weight) {
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(x), tf.constant(-1), Mean.keepDims(true));
        return tf.math.mul(tf.math.mul(x, tf.math.rsqrt(tf.math.add(variance, tf.constant((float) config
                .layerNormEps())))), params.get(weight));
    }

    /** The time dimension of a [batch, time] id tensor, as a scalar. */
    public Operand<TInt32> lengthOf(Operand<TInt32> ids) {
        return tf.reshape(tf.slice(tf.shape(ids), tf.constant(new int[]{1}), tf.constant(new int[]{1})), tf
                .constant(new int[0]));
    }

    /** [batch, 1, 1, time]: 0 where a key is a real token, a large negative bias where it is padding. */
    public Operand<TFloat32> paddingBias(Operand<TFloat32> mask) {
        Operand<TFloat32> bias = tf.math.mul(tf.math.sub(tf.constant(1f), mask), tf.constant(MASK_BIAS));
        return tf.expandDims(tf.expandDims(bias, tf.constant(1)), tf.constant(1));
    }

    /** [1, 1, time, time]: a position sees itself and those before it, never the future. */
    public Operand<TFloat32> futureBias(Operand<TInt32> len) {
        Operand<TFloat32> ones = tf.fill(tf.stack(List.of(len, len)), tf.constant(1f));
        Operand<TFloat32> future = tf.math.mul(tf.math.sub(tf.constant(1f), tf.linalg.bandPart(ones, tf.constant(-1),
                tf.constant(0))), tf.constant(MASK_BIAS));
        return tf.expandDims(tf.expandDims(future, tf.constant(0)), tf.constant(0));
    }

    /** [batch, len, heads, head size] as a shape operand. */
    public Operand<TInt32> headsShape(Operand<TInt32> len) {
        return timeShape(len, config.heads(), config.headSize());
    }

    /** [batch (any), len, tail...] as a shape operand. */
    public Operand<TInt32> timeShape(Operand<TInt32> len, int... tail) {
        return tf.concat(List.of(tf.constant(new int[]{-1}), tf.reshape(len, tf.constant(new int[]{1})), tf.constant(
                tail)), tf.constant(0));
    }
}
