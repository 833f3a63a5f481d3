package io.finetide.model.arch;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A stack's output: the last hidden states flat ([batch * time, hidden], what heads project) and shaped ([batch, time,
 * hidden], what pooling reads), with the time length; and the word embeddings the stack started from ([batch, time,
 * embedding], null for an encoder-decoder), which explanations feed and differentiate against.
 */
public record Hidden(Operand<TFloat32> flat, Operand<TFloat32> states, Operand<TInt32> length,
        Operand<TFloat32> wordEmbeddings) {
}
