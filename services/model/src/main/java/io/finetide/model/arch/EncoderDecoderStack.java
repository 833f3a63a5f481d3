package io.finetide.model.arch;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.layers.Layers;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;

/**
 * T5 (Raffel et al.): an encoder of pre-RMS-norm blocks with bidirectional relative position buckets, a decoder of
 * blocks with causal self-attention (unidirectional buckets), cross-attention to the encoder's output and a
 * feed-forward; no biases, and unscaled attention scores (T5 folds the scale into its initialisation).
 */
public final class EncoderDecoderStack {

    private EncoderDecoderStack() {
    }

    /** The decoder's last hidden states (the encoder's are its memory). */
    public static Hidden build(Layers layers, Inputs in) {
        Ops tf = layers.tf();
        TransformerConfig config = layers.config();
        int h = config.hiddenSize();
        Operand<TFloat32> shared = layers.param(ParamSpec.SHARED);
        Operand<TInt32> srcLen = layers.lengthOf(in.ids());
        Operand<TInt32> tgtLen = layers.lengthOf(in.decoderIds());
        Operand<TFloat32> srcPadding = layers.paddingBias(in.mask());
        Operand<TInt32> srcHeads = layers.headsShape(srcLen);
        Operand<TInt32> tgtHeads = layers.headsShape(tgtLen);
        Operand<TFloat32> memory = encode(layers, in.ids(), in.mask());

        Operand<TFloat32> y = layers.dropout(tf.reshape(tf.gather(shared, in.decoderIds(), tf.constant(0)), tf
                .constant(new int[]{-1, h})));
        Operand<TFloat32> decoderBias = tf.math.add(tf.math.add(RelativePositions.bias(layers, ParamSpec.T5_DECODER,
                tgtLen, tgtLen, false), layers.futureBias(tgtLen)), layers.paddingBias(in.decoderMask()));
        for (int i = 0; i < config.layers(); i++) {
            String b = ParamSpec.block(ParamSpec.T5_DECODER, i);
            Operand<TFloat32> n = layers.rmsNorm(y, b + "layer.0.layer_norm.weight");
            y = tf.math.add(y, layers.dropout(attention(layers, n, n, b + ParamSpec.SELF_ATTENTION, tgtHeads,
                    tgtHeads, decoderBias)));
            n = layers.rmsNorm(y, b + "layer.1.layer_norm.weight");
            y = tf.math.add(y, layers.dropout(attention(layers, n, memory, b + ParamSpec.CROSS_ATTENTION, tgtHeads,
                    srcHeads, srcPadding)));
            y = tf.math.add(y, layers.dropout(feedForward(layers, layers.rmsNorm(y, b + "layer.2.layer_norm.weight"),
                    b + "layer.2")));
        }
        y = layers.dropout(layers.rmsNorm(y, ParamSpec.T5_DECODER + ParamSpec.FINAL_NORM));
        return new Hidden(y, tf.reshape(y, layers.timeShape(tgtLen, h)), tgtLen, null);
    }

    /** The encoder's output, [rows * source length, hidden]: what the decoder attends to. */
    public static Operand<TFloat32> encode(Layers layers, Operand<TInt32> ids, Operand<TFloat32> mask) {
        Ops tf = layers.tf();
        TransformerConfig config = layers.config();
        Operand<TInt32> srcLen = layers.lengthOf(ids);
        Operand<TInt32> srcHeads = layers.headsShape(srcLen);
        Operand<TFloat32> x = layers.dropout(tf.reshape(tf.gather(layers.param(ParamSpec.SHARED), ids, tf.constant(0)),
                tf.constant(new int[]{-1, config.hiddenSize()})));
        Operand<TFloat32> encoderBias = tf.math.add(RelativePositions.bias(layers, ParamSpec.T5_ENCODER, srcLen,
                srcLen, true), layers.paddingBias(mask));
        for (int i = 0; i < config.layers(); i++) {
            String b = ParamSpec.block(ParamSpec.T5_ENCODER, i);
            Operand<TFloat32> n = layers.rmsNorm(x, b + "layer.0.layer_norm.weight");
            x = tf.math.add(x, layers.dropout(attention(layers, n, n, b + ParamSpec.SELF_ATTENTION, srcHeads,
                    srcHeads, encoderBias)));
            x = tf.math.add(x, layers.dropout(feedForward(layers, layers.rmsNorm(x, b + "layer.1.layer_norm.weight"),
                    b + "layer.1")));
        }
        return layers.dropout(layers.rmsNorm(x, ParamSpec.T5_ENCODER + ParamSpec.FINAL_NORM));
    }

    /** A block's feed-forward (wi, ReLU, wo) under {@code prefix}. */
    public static Operand<TFloat32> feedForward(Layers layers, Operand<TFloat32> x, String prefix) {
        Operand<TFloat32> inner = layers.dropout(layers.activation(layers.linear(x, prefix + ".DenseReluDense.wi")));
        return layers.linear(inner, prefix + ".DenseReluDense.wo");
    }

    /** T5's attention of {@code queries} over {@code memory} through {@code prefix}'s q, k, v and o, unscaled. */
    private static Operand<TFloat32> attention(Layers layers, Operand<TFloat32> queries, Operand<TFloat32> memory,
            String prefix, Operand<TInt32> qShape, Operand<TInt32> kShape, Operand<TFloat32> bias) {
        return layers.attention(queries, memory, new Layers.Projections(prefix + ".q", prefix + ".k", prefix + ".v",
                prefix + ".o"), qShape, kShape, bias, false);
    }
}
