package io.finetide.model.graph;

import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.arch.Inputs;

/** A batch's input tensors (the decoder's too), fed to the graph's inputs and closed together. */
final class BatchTensors implements AutoCloseable {
    private final Inputs inputs;
    private final TInt32 ids;
    private final TFloat32 mask;
    private final TInt32 targetIds;
    private final TFloat32 targetMask;
    private final TInt32 types;

    BatchTensors(Batch batch, Inputs inputs) {
        boolean encoderDecoder = inputs.decoderIds() != null;
        if (encoderDecoder != (batch.decoder() != null)) {
            throw new IllegalArgumentException(encoderDecoder
                    ? "an encoder-decoder needs the decoder's inputs (Batch.withDecoder)"
                    : "only an encoder-decoder takes decoder inputs");
        }
        this.inputs = inputs;
        ids = batch.idsTensor();
        mask = batch.maskTensor();
        targetIds = batch.decoder() == null ? null : batch.decoder().idsTensor();
        targetMask = batch.decoder() == null ? null : batch.decoder().maskTensor();
        types = batch.typesTensor();
    }

    Session.Runner feed(Session.Runner runner) {
        runner.feed(inputs.ids(), ids).feed(inputs.mask(), mask);
        if (targetIds != null) {
            runner.feed(inputs.decoderIds(), targetIds).feed(inputs.decoderMask(), targetMask);
        }
        if (types != null) {
            runner.feed(inputs.types(), types);
        }
        return runner;
    }

    @Override
    public void close() {
        ids.close();
        mask.close();
        if (targetIds != null) {
            targetIds.close();
            targetMask.close();
        }
        if (types != null) {
            types.close();
        }
    }
}
