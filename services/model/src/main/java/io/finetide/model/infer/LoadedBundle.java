package io.finetide.model.infer;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.tokenizer.Tokenizer;

/** A bundle ready to run: its tokenizer as trained (length, truncation) and an inference graph of its weights. */
record LoadedBundle(ModelBundle bundle, Tokenizer tokenizer, TransformerGraph graph) implements AutoCloseable {

    static LoadedBundle of(ModelBundle bundle, int threads) {
        Tokenizer tokenizer = Tokenizer.fromJson(bundle.tokenizerName(), bundle.tokenizerJson(), bundle
                .maxSeqLength(), bundle.truncation());
        try {
            return new LoadedBundle(bundle, tokenizer, TransformerGraph.create(bundle.config(), bundle.weights(),
                    GraphOptions.inference(threads)));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** The longest input the model takes: the tokenizer's limit or the position table's, the smaller. */
    int maxLength() {
        return Math.min(tokenizer.maxLength(), bundle.config().maxPositions());
    }

    @Override
    public void close() {
        graph.close();
        tokenizer.close();
    }
}
