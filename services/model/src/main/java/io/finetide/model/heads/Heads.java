package io.finetide.model.heads;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.arch.Hidden;
import io.finetide.model.layers.Layers;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;

/**
 * What the model answers from its last hidden states: a label per sequence (pooled by the configured
 * {@link io.finetide.model.transformer.Pooling}), a label per token, or the next token through the transposed
 * embeddings (tied weights).
 */
public final class Heads {

    private Heads() {
    }

    /**
     * A head's logits, and the features its classifier (a linear layer) reads, one row per row of logits: DP-SGD's
     * ghost clipping computes per-example gradient norms from them. Null features for a language model's tied head.
     */
    public record Output(Operand<TFloat32> logits, Operand<TFloat32> features) {
    }

    /**
     * The logits of a self-attention stack's head: [batch, labels] for a sequence head, [batch * time, labels] for a
     * token head, [batch * time, vocabulary] for a language model.
     */
    public static Output logits(Layers layers, Hidden hidden, Operand<TFloat32> mask) {
        Ops tf = layers.tf();
        TransformerConfig config = layers.config();
        Operand<TFloat32> features = switch (config.head()) {
            case LANGUAGE_MODEL -> null;
            // Every position gets logits; the loss and readers skip the unlabelled ones.
            case TOKEN -> layers.dropout(hidden.flat());
            case SEQUENCE -> layers.dropout(pooled(tf, config, hidden, mask));
        };
        if (features == null) {
            // Next-token logits from the word embeddings themselves.
            return new Output(tf.linalg.matMul(hidden.flat(), layers.param(ParamSpec.WORD_EMBEDDINGS), MatMul
                    .transposeB(true)), null);
        }
        return new Output(layers.linear(features, ParamSpec.CLASSIFIER), features);
    }

    private static Operand<TFloat32> pooled(Ops tf, TransformerConfig config, Hidden hidden, Operand<TFloat32> mask) {
        Operand<TFloat32> states = hidden.states();
        return switch (config.pooling()) {
            case LAST -> {
                // The last real token's state: under the causal mask it is the only one that has seen the whole text.
                Operand<TInt32> last = tf.math.sub(tf.dtypes.cast(tf.sum(mask, tf.constant(1)), TInt32.class), tf
                        .constant(1));
                Operand<TFloat32> pick = tf.oneHot(last, hidden.length(), tf.constant(1f), tf.constant(0f));
                yield tf.sum(tf.math.mul(states, tf.expandDims(pick, tf.constant(2))), tf.constant(1));
            }
            case CLS -> tf.gather(states, tf.constant(0), tf.constant(1));
            case MEAN -> {
                Operand<TFloat32> m = tf.expandDims(mask, tf.constant(2));
                Operand<TFloat32> summed = tf.sum(tf.math.mul(states, m), tf.constant(1));
                Operand<TFloat32> count = tf.math.maximum(tf.sum(mask, tf.constant(1), Sum.keepDims(true)), tf
                        .constant(1f));
                yield tf.math.div(summed, count);
            }
        };
    }

    /** T5's tied language-model head: the decoder's output rescaled by d^-0.5, against the shared embeddings. */
    public static Operand<TFloat32> tiedLanguageModel(Layers layers, Hidden decoder) {
        Ops tf = layers.tf();
        Operand<TFloat32> scaled = tf.math.mul(decoder.flat(), tf.constant((float) Math.pow(layers.config()
                .hiddenSize(), -0.5)));
        return tf.linalg.matMul(scaled, layers.param(ParamSpec.SHARED), MatMul.transposeB(true));
    }
}
