package io.finetide.model.arch;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.layers.Layers;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;

/**
 * BERT and ALBERT (bidirectional, post-LayerNorm, segment embeddings, ALBERT's factorised embeddings and shared
 * layers) and GPT-2 (causal, LayerNorm before each block and after the last, no segment embeddings): one stack of
 * self-attention blocks over token and position embeddings.
 */
public final class SelfAttentionStack {

    private SelfAttentionStack() {
    }

    public static Hidden build(Layers layers, Inputs in) {
        Ops tf = layers.tf();
        TransformerConfig config = layers.config();
        int h = config.hiddenSize();
        Operand<TInt32> seqLen = layers.lengthOf(in.ids());
        Operand<TFloat32> words = tf.gather(layers.param(ParamSpec.WORD_EMBEDDINGS), in.ids(), tf.constant(0));
        Operand<TFloat32> x = words;
        Operand<TFloat32> pos = tf.gather(layers.param(ParamSpec.POSITION_EMBEDDINGS), tf.range(tf.constant(0), seqLen,
                tf.constant(1)), tf.constant(0));
        Operand<TFloat32> x2;
        if (config.decoder()) {
            x2 = layers.dropout(tf.reshape(tf.math.add(x, pos), tf.constant(new int[]{-1, h})));
        } else {
            Operand<TFloat32> type = tf.gather(layers.param(ParamSpec.TYPE_EMBEDDINGS), in.types(), tf.constant(0));
            x = tf.math.add(tf.math.add(x, pos), type);
            x2 = tf.reshape(x, tf.constant(new int[]{-1, config.embeddingSize()}));
            x2 = layers.dropout(layers.layerNorm(x2, ParamSpec.EMBEDDINGS_LN));
            if (config.factorisedEmbeddings()) {
                x2 = layers.linear(x2, ParamSpec.EMBEDDING_PROJECTION);
            }
        }

        Operand<TFloat32> maskBias = layers.paddingBias(in.mask());
        if (config.decoder()) {
            maskBias = tf.math.add(maskBias, layers.futureBias(seqLen));
        }
        Operand<TInt32> heads = layers.headsShape(seqLen);

        for (int i = 0; i < config.layers(); i++) {
            String l = ParamSpec.layer(config, i);
            Layers.Projections attention = new Layers.Projections(l + "attention.self.query", l
                    + "attention.self.key", l + "attention.self.value", l + "attention.output.dense");
            if (config.decoder()) {
                // GPT-2: LayerNorm before each block, the residual stream left unnormalised.
                Operand<TFloat32> normed = layers.layerNorm(x2, l + "attention.output.LayerNorm");
                Operand<TFloat32> attnOut = layers.dropout(layers.attention(normed, normed, attention, heads, heads,
                        maskBias, true));
                x2 = tf.math.add(x2, attnOut);
                Operand<TFloat32> inter = layers.activation(layers.linear(layers.layerNorm(x2, l
                        + "output.LayerNorm"), l + "intermediate.dense"));
                x2 = tf.math.add(x2, layers.dropout(layers.linear(inter, l + "output.dense")));
            } else {
                Operand<TFloat32> attnOut = layers.dropout(layers.attention(x2, x2, attention, heads, heads, maskBias,
                        true));
                x2 = layers.layerNorm(tf.math.add(x2, attnOut), l + "attention.output.LayerNorm");
                Operand<TFloat32> inter = layers.activation(layers.linear(x2, l + "intermediate.dense"));
                Operand<TFloat32> out = layers.dropout(layers.linear(inter, l + "output.dense"));
                x2 = layers.layerNorm(tf.math.add(x2, out), l + "output.LayerNorm");
            }
        }
        if (config.decoder()) {
            x2 = layers.layerNorm(x2, ParamSpec.FINAL_LN);
        }
        return new Hidden(x2, tf.reshape(x2, layers.timeShape(seqLen, h)), seqLen, words);
    }
}
