package io.finetide.model.infer;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.encoder.EncoderGraph;
import io.finetide.model.text.TextEncoder;

/** A bundle ready to run: its tokenizer as trained (length, truncation) and an inference graph of its weights. */
record LoadedBundle(ModelBundle bundle, TextEncoder encoder, EncoderGraph graph) implements AutoCloseable {

    static LoadedBundle of(ModelBundle bundle, int threads) {
        TextEncoder encoder = TextEncoder.fromJson(bundle.tokenizerName(), bundle.tokenizerJson(), bundle
                .maxSeqLength(), bundle.truncation());
        try {
            return new LoadedBundle(bundle, encoder, EncoderGraph.create(bundle.config(), bundle.weights(),
                    EncoderGraph.Options.inference(threads)));
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    /** The longest input the model takes: the tokenizer's limit or the position table's, the smaller. */
    int maxLength() {
        return Math.min(encoder.maxLength(), bundle.config().maxPositions());
    }

    @Override
    public void close() {
        graph.close();
        encoder.close();
    }
}
