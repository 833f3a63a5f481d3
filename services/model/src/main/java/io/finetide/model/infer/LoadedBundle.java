package io.finetide.model.infer;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.tokenizer.Tokenizer;

/** A bundle ready to run: its tokenizer as trained (length, truncation) and an inference graph of its weights. */
public record LoadedBundle(ModelBundle bundle, Tokenizer tokenizer, TransformerGraph graph) implements AutoCloseable {

    static LoadedBundle of(ModelBundle bundle, int threads) {
        return of(bundle, GraphOptions.inference(threads));
    }

    /** With a graph of these options (an explaining graph, say). */
    public static LoadedBundle of(ModelBundle bundle, GraphOptions options) {
        Tokenizer tokenizer = Tokenizer.fromJson(bundle.tokenizerName(), bundle.tokenizerJson(), bundle
                .maxSeqLength(), bundle.truncation());
        try {
            return new LoadedBundle(bundle, tokenizer, TransformerGraph.create(bundle.config(), bundle.weights(),
                    options));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** The longest input the model takes: the tokenizer's limit or the position table's, the smaller. */
    public int maxLength() {
        return Math.min(tokenizer.maxLength(), bundle.config().maxPositions());
    }

    @Override
    public void close() {
        graph.close();
        tokenizer.close();
    }
}
