package io.finetide.model.infer;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.generate.Finish;
import io.finetide.model.generate.Generation;
import io.finetide.model.generate.GenerationSettings;
import io.finetide.model.generate.Generator;
import io.finetide.model.graph.CachedDecoder;
import io.finetide.model.graph.DecodingGraph;
import io.finetide.model.graph.EncoderDecoderDecoding;
import io.finetide.model.stats.Softmax;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * A bundle that writes text ({@link ModelBundle#generates}) ready to run: its tokenizer and a decoding graph with the
 * key/value cache. A decoder (GPT-2) continues its prompt; an encoder-decoder (T5) reads the prompt as its source and
 * writes its target. Prompts and completions are text; stop sequences are text too, matched on the text written so
 * far (a token may hold part of one), and the completion is cut before the first. One caller at a time.
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
    private final CachedDecoder graph;

    private CompletionWriter(ModelBundle bundle, Tokenizer tokenizer, CachedDecoder graph) {
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
            return new CompletionWriter(bundle, tokenizer, bundle.config().encoderDecoder()
                    ? EncoderDecoderDecoding.create(bundle.config(), bundle.weights(), bundle.decoderStart(), threads)
                    : DecodingGraph.create(bundle.config(), bundle.weights(), threads));
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
     * for greedy decoding and sampling, at the end for beam search). A prompt longer than a decoder reads keeps its
     * end, with room for the completion's first token; a source longer than an encoder reads keeps its start.
     */
    public Written write(String prompt, GenerationSettings settings, List<String> stops, Consumer<String> pieces) {
        int[] ids = source(prompt);
        if (ids.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        ids = fitted(ids, graph.config().maxPositions() - 1);
        StreamedText streamed = new StreamedText(tokenizer, stops, pieces);
        Generation g = Generator.generate(graph, ids, bundle.endOfText(), settings, streamed::stopsAt,
                streamed::accept);
        String text = streamed.finish(g.tokens());
        return new Written(text, g.tokens().length, g.finish(), g.logProbability());
    }

    /**
     * How likely the model finds {@code completion}, followed by its end of text, after {@code prompt}: each token read
     * through the key/value cache once. A pair longer than a decoder reads loses the prompt's start, then the
     * completion's end; an encoder-decoder's source keeps its start and its target its start.
     */
    public Likelihood likelihood(String prompt, String completion) {
        int[] promptIds = source(prompt);
        int[] target = tokenizer.encodeTarget(completion, bundle.endOfText());
        int positions = graph.config().maxPositions();
        // The last target token is predicted, never read: a decoder reads prompt + target - 1 positions, an
        // encoder-decoder's decoder its start + target - 1.
        if (target.length > positions - 1) {
            target = Arrays.copyOf(target, positions - 1);
        }
        promptIds = fitted(promptIds, graph.config().encoderDecoder() ? positions : positions - target.length);
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

    /**
     * What the model reads of a prompt: a decoder its plain tokens, which it continues; an encoder-decoder the text as
     * the tokenizer reads one (its special tokens, cut as the task cuts), as it read its inputs in training.
     */
    private int[] source(String prompt) {
        return graph.config().encoderDecoder() ? tokenizer.encode(prompt) : tokenizer.encodePlain(prompt);
    }

    /**
     * At most {@code room} of {@code ids}: a decoder's prompt keeps its end (what it continues); an encoder-decoder's
     * source, which it reads whole, keeps its start and is cut to the positions the model reads.
     */
    private int[] fitted(int[] ids, int room) {
        if (graph.config().encoderDecoder()) {
            int positions = graph.config().maxPositions();
            return ids.length > positions ? Arrays.copyOf(ids, positions) : ids;
        }
        return ids.length > room ? Arrays.copyOfRange(ids, ids.length - room, ids.length) : ids;
    }

    @Override
    public void close() {
        graph.close();
        tokenizer.close();
    }
}
