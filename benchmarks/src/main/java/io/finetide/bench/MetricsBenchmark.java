package io.finetide.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.launcher.EventWatcher;
import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.PlatformClient;
import io.finetide.platform.topics.Topics;

/**
 * What metrics cost, side by side: two deployment processes serve the same champion and two ingestion processes take
 * the same kind of batches, one of each with every meter on (the default), one with every meter denied
 * ({@code FINETIDE_METRICS_ENABLED=false}). Requests go to the two in alternating blocks (A B B A ...), so that the
 * machine's noise falls on both alike; each side's rate is its requests over the time spent in its own blocks. A small
 * task is trained through the pipeline first for a champion to serve; training, evaluation and preprocessing then
 * stop, so that only what is measured runs.
 */
final class MetricsBenchmark extends StageBenchmark {

    private static final String TASK = "bench-metrics";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEXTS_PER_REQUEST = 8;
    private static final int EXAMPLES_PER_BATCH = 100;

    private final int requests;
    private final int blocks;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param examples labelled examples each ingestion process takes, in REST batches of {@value #EXAMPLES_PER_BATCH}
     * @param requests predict requests each deployment process answers
     * @param blocks   how many blocks each side's load is cut into
     */
    MetricsBenchmark(Path root, Path data, int examples, int requests, int blocks, Consumer<String> say) {
        super(root, data, examples, 0, say);
        this.requests = requests;
        this.blocks = blocks;
    }

    /** Time each side spent in its blocks, and what it did in them. */
    private static final class Sides {
        final long[] nanos = new long[2];
        final long[] done = new long[2];

        double rate(int side) {
            return done[side] / (nanos[side] / 1e9);
        }
    }

    @FunctionalInterface
    private interface Block {
        /** Runs one block of load against {@code url}; returns how many units (requests, records) it did. */
        long run(String url, int side, int block) throws Exception;
    }

    @Override
    String run() throws Exception {
        List<String> texts = sentences();
        LocalPlatform.Options options = LocalPlatform.Options.isolated(root, root.resolve(".run/bench-metrics"));
        Bench.deleteTree(options.workDir());
        Sides serving;
        Sides ingestion;
        try (LocalPlatform platform = LocalPlatform.start(options, say);
                EventWatcher watcher = new EventWatcher(platform, say, 0);
                KafkaProducer<String, byte[]> producer = producer(platform.bootstrap())) {
            PlatformClient client = new PlatformClient(platform);
            String task = """
                    {"name": "%s", "labels": ["negative", "positive"],
                     "model": {"baseModel": "random", "layers": 1, "hiddenSize": 64, "heads": 2, "ffnSize": 128,
                               "maxSeqLen": 48},
                     "triggerMinNewExamples": 400, "hyperParameters": {"epochs": 2, "learningRate": 0.002}}
                    """.formatted(TASK);
            if (client.post("ingestion", "/api/v1/tasks", task).status() != 201) {
                throw new IllegalStateException("cannot create the task");
            }
            say.accept("training a small champion to serve");
            for (int i = 0; i < 600; i++) {
                String id = "seed-" + i;
                producer.send(new ProducerRecord<>(platform.topic(Topics.EXAMPLES_RAW), id, JSON.writeValueAsBytes(
                        example(id, texts.get(i), i))));
            }
            producer.flush();
            watcher.awaitPromotion(p -> true, Duration.ofMinutes(10)).orElseThrow(() -> new IllegalStateException(
                    "no champion: the pipeline stalled at " + watcher.lastSeen()));
            for (String idle : List.of("training", "evaluation", "preprocessing")) {
                platform.kill(idle);
            }
            Map<String, String> off = Map.of("FINETIDE_METRICS_ENABLED", "false");
            String[] deployments = {platform.url("deployment"), platform.startInstance("deployment",
                    "deployment-metrics-off", off)};
            String[] ingestions = {platform.url("ingestion"), platform.startInstance("ingestion",
                    "ingestion-metrics-off", off)};
            String predictBody = JSON.writeValueAsString(Map.of("texts", texts.subList(0, TEXTS_PER_REQUEST)));
            int perBlock = Math.max(1, requests / blocks);
            say.accept(String.format("serving: %,d requests of %d texts to each deployment, in blocks of %d",
                    requests, TEXTS_PER_REQUEST, perBlock));
            serving = alternate(deployments, (url, side, b) -> {
                for (int i = 0; i < perBlock; i++) {
                    post(url + "/api/v1/tasks/" + TASK + "/predict", predictBody);
                }
                return perBlock;
            }, 50 / perBlock + 1);
            int batches = Math.max(1, examples / EXAMPLES_PER_BATCH / blocks);
            say.accept(String.format("ingestion: %,d labelled examples to each ingestion, %d a request, %d requests "
                    + "a block", examples, EXAMPLES_PER_BATCH, batches));
            ingestion = alternate(ingestions, (url, side, b) -> {
                for (int r = 0; r < batches; r++) {
                    List<Map<String, Object>> batch = new ArrayList<>();
                    for (int i = 0; i < EXAMPLES_PER_BATCH; i++) {
                        int n = (b * batches + r) * EXAMPLES_PER_BATCH + i;
                        String id = "s" + side + "-b" + b + "-" + n;
                        batch.add(example(id, texts.get(Math.floorMod(n, texts.size())), n));
                    }
                    post(url + "/api/v1/examples", JSON.writeValueAsString(batch));
                }
                return (long) batches * EXAMPLES_PER_BATCH;
            }, 2);
        }
        return String.format(Locale.ROOT,
                """
                        | %d cores; the two sides in alternating blocks, one run | metrics on | metrics off | on / off |
                        |---|---:|---:|---:|
                        | serving: requests/s (%d texts each, one client, %,d requests a side) | %,.1f | %,.1f | %.3f |
                        | ingestion over REST: labelled examples/s validated, stored, emitted (%,d a side) | %,.0f | %,.0f | %.3f |
                        """,
                Runtime.getRuntime().availableProcessors(), TEXTS_PER_REQUEST, serving.done[0], serving.rate(0),
                serving.rate(1), serving.rate(0) / serving.rate(1), ingestion.done[0], ingestion.rate(0), ingestion
                        .rate(1),
                ingestion.rate(0) / ingestion.rate(1));
    }

    /**
     * {@code warmup} blocks on each side first (not counted), then {@link #blocks} blocks a side in the order A B B A
     * A B B A ...: a drift of the machine over the run weighs on both sides alike.
     */
    private Sides alternate(String[] urls, Block block, int warmup) throws Exception {
        for (int w = 0; w < warmup; w++) {
            block.run(urls[0], 0, -1 - w);
            block.run(urls[1], 1, -1 - w);
        }
        Sides sides = new Sides();
        for (int b = 0; b < blocks; b++) {
            int first = b % 2;
            for (int side : new int[]{first, 1 - first}) {
                long t0 = System.nanoTime();
                sides.done[side] += block.run(urls[side], side, b);
                sides.nanos[side] += System.nanoTime() - t0;
            }
        }
        return sides;
    }

    private static Map<String, Object> example(String id, String text, int n) {
        // Distinct texts (the service drops exact duplicates): the sentence plus its id.
        return Map.of("id", id, "task", TASK, "text", text + " #" + id, "label", n % 2 == 0
                ? "positive"
                : "negative");
    }

    private void post(String url, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
