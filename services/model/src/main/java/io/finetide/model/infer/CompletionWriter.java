package io.finetide.model.infer;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.generate.Finish;
import io.finetide.model.generate.Generation;
import io.finetide.model.generate.GenerationSettings;
import io.finetide.model.generate.Generator;
import io.finetide.model.graph.DecodingGraph;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * A bundle that writes completions ({@link ModelBundle#generates}) ready to run: its tokenizer and a decoding graph
 * with the key/value cache. Prompts and completions are text; stop sequences are text too, matched on the text
 * written so far (a token may hold part of one), and the completion is cut before the first. One caller at a time.
 */
public final class CompletionWriter implements AutoCloseable {

    /** What was written, why it ended, and the model's log-probability of its tokens. */
    public record Written(String text, int tokens, Finish finish, double logProbability) {
    }

    private final ModelBundle bundle;
    private final Tokenizer tokenizer;
    private final DecodingGraph graph;

    private CompletionWriter(ModelBundle bundle, Tokenizer tokenizer, DecodingGraph graph) {
        this.bundle = bundle;
        this.tokenizer = tokenizer;
        this.graph = graph;
    }

    public static CompletionWriter load(ModelBundle bundle, int threads) {
        if (!bundle.generates()) {
            throw new IllegalArgumentException("the model does not write completions");
        }
        Tokenizer tokenizer = Tokenizer.fromJson(bundle.tokenizerName(), bundle.tokenizerJson(), bundle
                .maxSeqLength(), bundle.truncation());
        try {
            return new CompletionWriter(bundle, tokenizer, DecodingGraph.create(bundle.config(), bundle.weights(),
                    threads));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public Written write(String prompt, GenerationSettings settings, List<String> stops) {
        return write(prompt, settings, stops, piece -> {
        });
    }

    /**
     * Writes a completion of {@code prompt}, telling {@code pieces} each piece of text as soon as it is final (at once
     * for greedy decoding and sampling, at the end for beam search). A prompt longer than the model reads keeps its
     * end, with room for the completion's first token.
     */
    public Written write(String prompt, GenerationSettings settings, List<String> stops, Consumer<String> pieces) {
        int[] ids = tokenizer.encodePlain(prompt);
        if (ids.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        int room = graph.config().maxPositions() - 1;
        if (ids.length > room) {
            ids = Arrays.copyOfRange(ids, ids.length - room, ids.length);
        }
        StreamedText streamed = new StreamedText(tokenizer, stops, pieces);
        Generation g = Generator.generate(graph, ids, bundle.endOfText(), settings, streamed::stopsAt,
                streamed::accept);
        String text = streamed.finish(g.tokens());
        return new Written(text, g.tokens().length, g.finish(), g.logProbability());
    }

    @Override
    public void close() {
        graph.close();
        tokenizer.close();
    }
}
