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
import io.finetide.model.stats.Softmax;
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

    /**
     * The model's log-probability of a given completion after its prompt, over {@code tokens} tokens (the
     * completion's and the end of text): what perplexity is made of.
     */
    public record Likelihood(double logProbability, int tokens) {
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

    /**
     * How likely the model finds {@code completion}, followed by its end of text, after {@code prompt}: each token read
     * through the key/value cache once. A pair longer than the model reads loses the prompt's start, then the
     * completion's end.
     */
    public Likelihood likelihood(String prompt, String completion) {
        int[] promptIds = tokenizer.encodePlain(prompt);
        int[] words = tokenizer.encodePlain(completion);
        int[] target = Arrays.copyOf(words, words.length + 1);
        target[words.length] = bundle.endOfText();
        int positions = graph.config().maxPositions();
        // The last target token is predicted, never read: prompt + target - 1 positions are read.
        if (target.length > positions - 1) {
            target = Arrays.copyOf(target, positions - 1);
        }
        int room = positions - target.length;
        if (promptIds.length > room) {
            promptIds = Arrays.copyOfRange(promptIds, promptIds.length - room, promptIds.length);
        }
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        double sum = 0;
        DecodingGraph.Step step = graph.start(new int[][]{promptIds});
        try {
            for (int t = 0; t < target.length; t++) {
                sum += Softmax.logProbability(step.logits()[0], target[t]);
                if (t + 1 < target.length) {
                    DecodingGraph.Step next = graph.next(step.cache(), new int[]{0}, new int[]{target[t]});
                    step.cache().close();
                    step = next;
                }
            }
        } finally {
            step.cache().close();
        }
        return new Likelihood(sum, target.length);
    }

    @Override
    public void close() {
        graph.close();
        tokenizer.close();
    }
}
