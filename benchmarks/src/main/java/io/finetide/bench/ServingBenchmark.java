package io.finetide.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.launcher.EventWatcher;
import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.PlatformClient;
import io.finetide.platform.topics.Topics;

/**
 * Dynamic batching, side by side: two deployment processes serve the same champion (fine-tuned from the pretrained
 * base for a few steps through the pipeline), one with batching on (the default), one with it off
 * ({@code FINETIDE_DEPLOYMENT_BATCHING_ENABLED=false}). At each concurrency, closed-loop clients send single-text
 * requests; the two sides take turns in blocks (A B B A ...) so that the machine's noise falls on both alike.
 * Throughput is requests over the time spent in a side's blocks; percentiles over all of a side's request latencies.
 */
final class ServingBenchmark extends StageBenchmark {

    private static final String TASK = "bench-serving";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param batching settings of the batching side, as environment variables (empty: the defaults) */
    record Options(String base, List<Integer> clients, int requests, int blocks, Map<String, String> batching) {
    }

    private final Options options;

    ServingBenchmark(Path root, Path data, Options options, Consumer<String> say) {
        super(root, data, 0, 0, say);
        this.options = options;
    }

    /** One side's figures at one concurrency. */
    private static final class Side {
        long nanos;
        final List<Long> latencies = new ArrayList<>();

        double rate() {
            return latencies.size() / (nanos / 1e9);
        }

        double percentileMillis(double q) {
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
        }
    }

    @Override
    String run() throws Exception {
        List<String> texts = sentences();
        LocalPlatform.Options platformOptions = LocalPlatform.Options.isolated(root, root.resolve(
                ".run/bench-serving"));
        Bench.deleteTree(platformOptions.workDir());
        StringBuilder table = new StringBuilder();
        try (LocalPlatform platform = LocalPlatform.start(platformOptions, say);
                EventWatcher watcher = new EventWatcher(platform, say, 0);
                KafkaProducer<String, byte[]> producer = producer(platform.bootstrap())) {
            PlatformClient client = new PlatformClient(platform);
            String model = options.base().equals("random")
                    ? "\"baseModel\": \"random\", \"layers\": 1, \"hiddenSize\": 64, \"heads\": 2, \"ffnSize\": 128"
                    : "\"architecture\": \"transformer-encoder\", \"baseModel\": \"" + options.base() + "\"";
            String task = """
                    {"name": "%s", "labels": ["negative", "positive"], "model": {%s, "maxSeqLen": 64},
                     "triggerMinNewExamples": 300, "hyperParameters": {"epochs": 1, "batchSize": 32}}
                    """.formatted(TASK, model);
            PlatformClient.Answer created = client.post("ingestion", "/api/v1/tasks", task);
            if (created.status() != 201) {
                throw new IllegalStateException("cannot create the task: " + created.body());
            }
            say.accept("training a champion from " + options.base() + " to serve");
            for (int i = 0; i < 500; i++) {
                String id = "seed-" + i;
                producer.send(new ProducerRecord<>(platform.topic(Topics.EXAMPLES_RAW), id, JSON.writeValueAsBytes(
                        Map.of("id", id, "task", TASK, "text", texts.get(i), "label", i % 2 == 0
                                ? "positive"
                                : "negative"))));
            }
            producer.flush();
            watcher.awaitPromotion(p -> true, Duration.ofMinutes(15)).orElseThrow(() -> new IllegalStateException(
                    "no champion: the pipeline stalled at " + watcher.lastSeen()));
            for (String idle : List.of("training", "evaluation", "preprocessing", "ingestion")) {
                platform.kill(idle);
            }
            String[] urls = {options.batching().isEmpty()
                    ? platform.url("deployment")
                    : platform.startInstance("deployment", "deployment-batched", options.batching()),
                    platform
                            .startInstance("deployment", "deployment-unbatched", Map.of(
                                    "FINETIDE_DEPLOYMENT_BATCHING_ENABLED", "false"))};
            if (!options.batching().isEmpty()) {
                platform.kill("deployment");
                say.accept("batching side: " + options.batching());
            }
            say.accept(String.format(Locale.ROOT, "answers in a batch vs alone: largest probability difference %.2g "
                    + "over 64 texts", batchedVsAlone(urls, texts.subList(1000, 1064))));
            table.append(String.format(Locale.ROOT, "| %d cores, %s, single-text requests, closed-loop clients; "
                    + "sides in alternating blocks, one run | batching on: req/s | p50 ms | p95 ms | p99 ms | "
                    + "texts per batch | batching off: req/s | p50 ms | p95 ms | p99 ms | on / off req/s |%n"
                    + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n",
                    Runtime.getRuntime()
                            .availableProcessors(),
                    options.base()));
            for (int clients : options.clients()) {
                double[] before = batches(urls[0]);
                Side[] sides = measure(urls, clients, texts);
                double[] after = batches(urls[0]);
                double perBatch = (after[0] - before[0]) / Math.max(1, after[1] - before[1]);
                say.accept(String.format(Locale.ROOT, "%d clients: batching on %.1f req/s (p99 %.1f ms, %.1f texts "
                        + "a batch), off %.1f req/s (p99 %.1f ms)", clients, sides[0].rate(),
                        sides[0]
                                .percentileMillis(0.99),
                        perBatch, sides[1].rate(), sides[1].percentileMillis(0.99)));
                table.append(String.format(Locale.ROOT, "| %d clients | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | "
                        + "%.1f | %.1f | %.1f | %.2f |%n", clients, sides[0].rate(), sides[0].percentileMillis(0.5),
                        sides[0].percentileMillis(0.95), sides[0].percentileMillis(0.99), perBatch, sides[1].rate(),
                        sides[1].percentileMillis(0.5), sides[1].percentileMillis(0.95), sides[1].percentileMillis(
                                0.99),
                        sides[0].rate() / sides[1].rate()));
            }
        }
        return table.toString();
    }

    /** A warm-up block on each side, then {@code blocks} blocks a side in the order A B B A A B ... */
    private Side[] measure(String[] urls, int clients, List<String> texts) throws Exception {
        int perBlock = Math.max(clients * 4, options.requests() / options.blocks());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        HttpClient[] http = new HttpClient[clients];
        for (int c = 0; c < clients; c++) {
            http[c] = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(
                    5)).build();
        }
        try {
            Side[] sides = {new Side(), new Side()};
            block(urls[0], pool, http, perBlock, texts, new Side());
            block(urls[1], pool, http, perBlock, texts, new Side());
            for (int b = 0; b < options.blocks(); b++) {
                int first = b % 2;
                for (int side : new int[]{first, 1 - first}) {
                    block(urls[side], pool, http, perBlock, texts, sides[side]);
                }
            }
            return sides;
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code requests} requests from {@code http.length} clients, each sending its next as soon as it is answered. */
    private static void block(String url, ExecutorService pool, HttpClient[] http, int requests, List<String> texts,
            Side into) throws Exception {
        AtomicInteger next = new AtomicInteger();
        String endpoint = url + "/api/v1/tasks/" + TASK + "/predict";
        List<Future<long[]>> clients = new ArrayList<>();
        long start = System.nanoTime();
        for (HttpClient client : http) {
            clients.add(pool.submit(() -> {
                List<Long> mine = new ArrayList<>();
                for (int i; (i = next.getAndIncrement()) < requests;) {
                    String body = JSON.writeValueAsString(Map.of("texts", List.of(texts.get(i % texts.size()))));
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(endpoint)).timeout(Duration
                            .ofMinutes(1)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                                    .ofString(body))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(endpoint + " answered " + r.statusCode() + ": " + r.body());
                    }
                    mine.add(System.nanoTime() - t0);
                }
                return mine.stream().mapToLong(Long::longValue).toArray();
            }));
        }
        for (Future<long[]> c : clients) {
            Arrays.stream(c.get()).forEach(into.latencies::add);
        }
        into.nanos += System.nanoTime() - start;
    }

    /**
     * The largest difference between a probability the batching side gives a text sent with 63 others at once and the
     * one the unbatched side gives it alone.
     */
    private static double batchedVsAlone(String[] urls, List<String> texts) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(texts.size());
        try {
            List<Future<String>> together = new ArrayList<>();
            for (String text : texts) {
                together.add(pool.submit(() -> predict(http, urls[0], text)));
            }
            double worst = 0;
            for (int i = 0; i < texts.size(); i++) {
                com.fasterxml.jackson.databind.JsonNode a = JSON.readTree(together.get(i).get()).at(
                        "/predictions/0/probabilities");
                com.fasterxml.jackson.databind.JsonNode b = JSON.readTree(predict(http, urls[1], texts.get(i))).at(
                        "/predictions/0/probabilities");
                for (String label : List.of("negative", "positive")) {
                    worst = Math.max(worst, Math.abs(a.get(label).asDouble() - b.get(label).asDouble()));
                }
            }
            return worst;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String predict(HttpClient http, String url, String text) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/tasks/" + TASK + "/predict")).header(
                "Content-Type", "application/json").POST(
                        HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                                Map.of("texts", List.of(text)))))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Texts run in batches and batches run so far by the batching side, from its metrics. */
    private static double[] batches(String url) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        double count = 0;
        for (String line : metrics.lines().toList()) {
            if (line.startsWith("finetide_deployment_batch_size_sum{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("finetide_deployment_batch_size_count{")) {
                count += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return new double[]{sum, count};
    }
}
