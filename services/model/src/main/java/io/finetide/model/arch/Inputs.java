package io.finetide.model.arch;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The graph's input operands: token ids and their mask ([batch, time]), segment ids (a [1, 1] zero default broadcasts
 * over the batch), and an encoder-decoder's decoder ids and mask (null otherwise).
 */
public record Inputs(Operand<TInt32> ids, Operand<TFloat32> mask, Operand<TInt32> types, Operand<TInt32> decoderIds,
        Operand<TFloat32> decoderMask) {
}
