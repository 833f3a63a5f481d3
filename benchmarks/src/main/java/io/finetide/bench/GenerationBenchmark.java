package io.finetide.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.model.generate.GenerationSettings;
import io.finetide.model.generate.Generator;
import io.finetide.model.generate.StopRule;
import io.finetide.model.generate.TokenListener;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.DecodingGraph;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Greedy generation speed of a GPT-2-shaped decoder (random weights: a step's cost does not depend on their values)
 * for growing numbers of new tokens: with the key/value cache ({@link Generator}), without it (every step a pass over
 * the whole prefix), and transformers' generate on PyTorch with and without its cache, in one run on the same shape,
 * prompt length and thread count. With the cache, tokens/s should stay about level as outputs grow; without it, fall.
 */
final class GenerationBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Options(int layers, int hidden, int heads, int vocab, int positions, int prompt, List<Integer> lengths,
            int uncachedUpTo, int repeats, int threads, Path python, Path script) {
    }

    private final Options o;
    private final Consumer<String> say;

    GenerationBenchmark(Options options, Consumer<String> say) {
        this.o = options;
        this.say = say;
    }

    String run() throws Exception {
        TransformerConfig config = TransformerConfig.decoderBuilder().vocabSize(o.vocab()).maxPositions(o.positions())
                .hiddenSize(o.hidden()).layers(o.layers()).heads(o.heads()).intermediateSize(4 * o.hidden()).labels(0)
                .head(Head.LANGUAGE_MODEL).dropout(0).build();
        say.accept(String.format(Locale.ROOT, "a random decoder of %,d parameters", config.parameterCount()));
        Weights weights = Weights.initialise(config, 1);
        int[] prompt = new Random(2).ints(o.prompt(), 1, o.vocab()).toArray();
        List<double[]> rows = new ArrayList<>();
        try (DecodingGraph cached = DecodingGraph.create(config, weights, o.threads());
                TransformerGraph full = TransformerGraph.create(config, weights, GraphOptions.inference(o
                        .threads()))) {
            generate(cached, prompt, 4);
            for (int length : o.lengths()) {
                double withCache = best(() -> generate(cached, prompt, length));
                double without = length <= o.uncachedUpTo() ? best(() -> rerun(full, prompt, length)) : Double.NaN;
                say.accept(String.format(Locale.ROOT, "%d new tokens: %.2f s with the cache, %.2f s without",
                        length, withCache, without));
                rows.add(new double[]{length, withCache, without});
            }
        }
        JsonNode peer = Files.isExecutable(o.python()) ? peer() : null;
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "Greedy generation, %d layers x %d hidden, vocabulary %,d, prompt %d "
                + "tokens, %d threads (best of %d; tokens/s):%n%n", o.layers(), o.hidden(), o.vocab(), o.prompt(),
                o.threads(), o.repeats()));
        t.append("| new tokens | Finetide, cached | Finetide, no cache | transformers, cached | transformers, no cache"
                + " | Finetide / transformers, cached |\n|---:|---:|---:|---:|---:|---:|\n");
        for (double[] r : rows) {
            int n = (int) r[0];
            double theirs = seconds(peer, "cached", n);
            t.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |%n", n, rate(n, r[1]), rate(n, r[2]),
                    rate(n, theirs), rate(n, seconds(peer, "uncached", n)), Double.isNaN(theirs)
                            ? "-"
                            : String.format(Locale.ROOT, "%.2f", theirs / r[1])));
        }
        if (peer != null) {
            t.append(String.format(Locale.ROOT, "%ntransformers %s, torch %s%n", peer.path("transformers").asText(),
                    peer.path("torch").asText()));
        }
        return t.toString();
    }

    private interface Timed {
        void run();
    }

    private double best(Timed work) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < o.repeats(); i++) {
            long start = System.nanoTime();
            work.run();
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return best;
    }

    private static void generate(DecodingGraph graph, int[] prompt, int length) {
        // No end-of-text token (-1): every run makes exactly `length` tokens.
        int made = Generator.generate(graph, prompt, -1, GenerationSettings.greedy(length), StopRule.NEVER,
                TokenListener.NONE).tokens().length;
        if (made != length) {
            throw new IllegalStateException("made " + made + " tokens of " + length);
        }
    }

    /** Greedy decoding as it is without a cache: each new token from a pass over the prompt and every token so far. */
    private static void rerun(TransformerGraph graph, int[] prompt, int length) {
        int[] tokens = java.util.Arrays.copyOf(prompt, prompt.length + length);
        for (int n = prompt.length; n < tokens.length; n++) {
            int[] prefix = java.util.Arrays.copyOf(tokens, n);
            float[][] logits = graph.logits(Batch.of(new int[][]{prefix}, 0, 1, graph.config().maxPositions()));
            tokens[n] = Predictor.argMax(logits[n - 1]);
        }
    }

    private JsonNode peer() throws Exception {
        say.accept("running transformers' generate (" + o.python() + ")");
        List<String> command = new ArrayList<>(List.of(o.python().toString(), o.script().toString()));
        for (String[] a : new String[][]{{"--layers", "" + o.layers()}, {"--hidden", "" + o.hidden()}, {"--heads", ""
                + o.heads()}, {"--vocab", "" + o.vocab()}, {"--positions", "" + o.positions()}, {"--prompt",
                        "" + o
                                .prompt()},
                {"--repeats", "" + o.repeats()}, {"--threads", "" + o.threads()}, {"--uncached-up-to", "" + o
                        .uncachedUpTo()},
                {"--lengths", String.join(",", o.lengths().stream().map(String::valueOf).toList())}}) {
            command.addAll(List.of(a));
        }
        return PythonPeer.run(command, "transformers' generate");
    }

    private static double seconds(JsonNode peer, String kind, int length) {
        JsonNode v = peer == null ? null : peer.path(kind).get(String.valueOf(length));
        return v == null ? Double.NaN : v.asDouble();
    }

    private static String rate(int tokens, double seconds) {
        return Double.isNaN(seconds) ? "-" : String.format(Locale.ROOT, "%.1f", tokens / seconds);
    }
}
