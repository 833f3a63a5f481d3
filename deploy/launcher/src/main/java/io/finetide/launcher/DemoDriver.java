package io.finetide.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;

/**
 * The demo: a sentiment task on SST-2 sentences, its training file streamed into the raw topic in two waves (with a
 * few malformed records, as real streams have), the first champion trained, evaluated, promoted and serving, then the
 * second wave fine-tuning it incrementally and the gate deciding again; a blessed second model goes through shadow
 * and canary on held-out sentences as live traffic, with their labels as feedback ({@link DemoRollout}).
 */
public final class DemoDriver {

    public static final String TASK = "sst2-demo";
    static final List<String> LABELS = List.of("negative", "positive");
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Example(String id, String text, String label) {
    }

    public record Result(String championModelId, int championVersion, double championStreamTestAccuracy,
            double championHeldOutAccuracy, long heldOutExamples, long ingested, long rejected, long wallMillis) {
    }

    private final LocalPlatform platform;
    private final Path dataDir;
    private final Consumer<String> say;
    private final PlatformClient client;
    private final Duration stall;
    private final ServedChampion served;
    private int annotated;

    /**
     * @param stall how long the platform may announce nothing at all before the demo gives up: a wave's training
     *              takes as long as the machine needs, and says so every tenth of an epoch
     */
    public DemoDriver(LocalPlatform platform, Path dataDir, Consumer<String> say, Duration stall) {
        this.platform = platform;
        this.dataDir = dataDir;
        this.say = say;
        this.client = new PlatformClient(platform);
        this.stall = stall;
        this.served = new ServedChampion(client, say, stall);
    }

    private IllegalStateException stalled(String waitingFor, EventWatcher watcher) {
        return new IllegalStateException(String.format("%s: the pipeline announced nothing for %d minutes; the last "
                + "thing it did was %s", waitingFor, stall.toMinutes(), watcher.lastSeen()));
    }

    /** SST-2 sentence files: one "label text" line each, label 0 (negative) or 1 (positive). */
    public static List<Example> read(Path file, String idPrefix) {
        try {
            List<Example> out = new ArrayList<>();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.length() < 3) {
                    continue;
                }
                out.add(new Example(idPrefix + i, line.substring(2), LABELS.get(line.charAt(0) - '0')));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Result run() {
        long start = System.currentTimeMillis();
        List<Example> train = read(dataDir.resolve("stsa.binary.train"), "sst2-train-");
        List<Example> heldOut = read(dataDir.resolve("stsa.binary.test"), "sst2-test-");
        say.accept(String.format("data: %,d training sentences streamed in two waves; %,d held-out test sentences",
                train.size(), heldOut.size()));

        String task = """
                {"name": "%s", "labels": ["negative", "positive"],
                 "model": {"architecture": "transformer-encoder", "baseModel": "minilm-l6", "maxSeqLen": 64},
                 "splits": {"train": 0.8, "validation": 0.1, "test": 0.1},
                 "triggerMinNewExamples": 2400,
                 "preprocessing": {"goldenTestSize": 500},
                 "triggers": {"driftPsi": 0.25, "driftMinExamples": 500},
                 "hyperParameters": {"learningRate": 0.00005, "batchSize": 32, "epochs": 2, "weightDecay": 0.01,
                                     "warmupRatio": 0.1, "maxGradNorm": 1.0, "seed": 42, "dropout": 0.1},
                 "evaluation": {"policy": "NON_INFERIORITY", "nonInferiorityMargin": 0.02}}
                """.formatted(TASK);
        PlatformClient.Answer created = client.post("ingestion", "/api/v1/tasks", task);
        if (created.status() / 100 != 2) {
            throw new IllegalStateException("task creation answered " + created.status() + ": " + created.body());
        }
        say.accept("created task " + TASK + " (fine-tunes pretrained MiniLM-L6, 6 layers, 22.7M parameters; "
                + "a snapshot every 2,400 new training examples or on drift; champions judged on a golden test set "
                + "of 500: a fresher candidate replaces the champion unless it may be worse by 0.02 macro-F1 or more, "
                + "with 95% confidence)");

        try (EventWatcher watcher = new EventWatcher(platform, say, 1000);
                KafkaProducer<String, byte[]> producer = Producers.bytes(platform)) {
            int half = train.size() / 2;
            say.accept(String.format("wave 1: streaming %,d examples and 5 malformed records to %s", half,
                    Topics.EXAMPLES_RAW));
            stream(producer, train.subList(0, half), true);
            ModelPromotedEvent first = watcher.awaitPromotion(p -> true, stall)
                    .orElseThrow(() -> stalled("no model was promoted", watcher));
            served.showPredictions(heldOut);
            double firstHeldOut = client.accuracy(TASK, texts(heldOut), labels(heldOut));
            say.accept(String.format("champion %s: held-out accuracy %.4f on %,d stsa.binary.test sentences",
                    first.getModelId(), firstHeldOut, heldOut.size()));
            annotated = peopleAndRulesInTheLoop(read(dataDir.resolve("stsa.binary.dev"), "sst2-dev-"), firstHeldOut);

            say.accept(String.format("wave 2: streaming %,d more examples", train.size() - half));
            stream(producer, train.subList(half, train.size()), false);
            ModelEvaluatedEvent second = watcher.awaitEvaluation(e -> !e.getModelId().equals(first.getModelId()),
                    stall).orElseThrow(() -> stalled("no second candidate", watcher));
            GateReasoning.lines(second).forEach(say);
            say.accept("the model report page (plots; the platform stays up after the demo): " + platform.url(
                    "evaluation") + "/report/index.html?task=" + TASK + "&model=" + second.getModelId());
            say.accept("its audit record: " + platform.url("evaluation") + "/api/v1/tasks/" + TASK + "/evaluations/"
                    + second.getModelId() + "; its model card: " + platform.url("deployment") + "/api/v1/tasks/"
                    + TASK + "/models/" + second.getModelId() + "/card");
            ModelPromotedEvent champion = first;
            if (second.getBlessed() && new DemoRollout(client, say, stall).drive(second.getModelId(), heldOut)) {
                champion = watcher.awaitPromotion(p -> p.getModelId().equals(second.getModelId()), stall)
                        .orElseThrow(() -> stalled(second.getModelId() + " was blessed but not promoted", watcher));
            }
            String championId = champion.getModelId();
            ModelEvaluatedEvent verdict = watcher.awaitEvaluation(e -> e.getModelId().equals(championId),
                    Duration.ofSeconds(10)).orElseThrow();
            served.showPredictions(heldOut);
            served.explain(heldOut.get(0).text());
            double heldOutAccuracy = served.liveFeedback(heldOut, verdict.getCandidate().getAccuracy());
            Result result = new Result(championId, champion.getVersion(), verdict.getCandidate().getAccuracy(),
                    heldOutAccuracy, heldOut.size(), watcher.labelled(), watcher.rejected(),
                    System.currentTimeMillis() - start);
            summary(result, watcher, second, train.size() + MALFORMED.size());
            return result;
        }
    }

    /** Unlabelled sentences the champion ranks for annotators; the most uncertain are labelled (with the truth). */
    static final int UNLABELLED = 300;
    static final int TO_ANNOTATE = 50;

    /**
     * Unlabelled dev sentences go in over REST; the champion scores them; an annotator labels the most uncertain
     * (with the sentences' true labels), which join the second wave's training data. Three keyword rules label
     * others weakly; their accuracy is measured on the labelled examples and learned by the label model.
     *
     * @return how many examples the annotator labelled
     */
    private int peopleAndRulesInTheLoop(List<Example> dev, double heldOutAccuracy) {
        List<Example> pool = dev.subList(0, Math.min(UNLABELLED, dev.size()));
        java.util.Map<String, String> truth = new java.util.HashMap<>();
        List<java.util.Map<String, Object>> items = new ArrayList<>();
        for (Example e : pool) {
            truth.put(e.id(), e.label());
            items.add(Map.of("id", e.id(), "task", TASK, "text", e.text()));
        }
        PlatformClient.Answer posted = client.post("ingestion", "/api/v1/examples", items);
        int accepted = posted.body().path("accepted").asInt();
        String queuePath = "/api/v1/tasks/" + TASK + "/queue?annotator=demo-annotator&size=" + TO_ANNOTATE;
        PlatformClient.Answer queue = client.get("ingestion", queuePath);
        // The champion scores each sentence in the deployment service; the queue is ranked once the scores are back.
        // Waits while scores keep coming, however slowly.
        long deadline = System.currentTimeMillis() + stall.toMillis();
        int scored = queue.body().path("scored").asInt();
        while (!allScored(queue) && System.currentTimeMillis() < deadline) {
            pause(Duration.ofMillis(500));
            queue = client.get("ingestion", queuePath);
            if (queue.body().path("scored").asInt() > scored) {
                scored = queue.body().path("scored").asInt();
                deadline = System.currentTimeMillis() + stall.toMillis();
            }
        }
        say.accept(String.format("people in the loop: %d unlabelled sentences posted; the labeling queue is ordered "
                + "by %s; the champion's 3 most uncertain:", accepted, queue.body().path("order").asText()));
        JsonNode top = queue.body().path("items");
        for (int i = 0; i < Math.min(3, top.size()); i++) {
            JsonNode item = top.get(i);
            String text = item.path("text").asText();
            say.accept(String.format("  entropy %.3f, guess %-8s %s", item.path("uncertainty").asDouble(), item.path(
                    "predicted").asText(), text.length() > 70 ? text.substring(0, 67) + "..." : text));
        }
        int right = 0;
        List<java.util.Map<String, Object>> labels = new ArrayList<>();
        for (JsonNode item : top) {
            String id = item.path("id").asText();
            right += truth.get(id).equals(item.path("predicted").asText()) ? 1 : 0;
            labels.add(Map.of("task", TASK, "id", id, "label", truth.get(id), "annotator",
                    "demo-annotator"));
        }
        client.post("ingestion", "/api/v1/labels", labels);
        say.accept(String.format("the annotator labelled the %d most uncertain: the champion had %.0f%% of them right "
                + "(%.0f%% on held-out sentences overall); they join the second wave's training data", top.size(),
                100.0 * right / Math.max(1, top.size()), 100 * heldOutAccuracy));

        String rules = "/api/v1/tasks/" + TASK + "/labeling-functions/";
        client.put("ingestion", rules + "praise", Map.of("kind", "keywords", "patterns", List.of("best",
                "wonderful", "beautiful", "masterpiece", "delight"), "label", "positive"));
        client.put("ingestion", rules + "scorn", Map.of("kind", "keywords", "patterns", List.of("worst",
                "boring", "dull", "mess", "tedious"), "label", "negative"));
        client.put("ingestion", rules + "not-good", Map.of("kind", "regex", "patterns", List.of(
                "\\b(?:not|n't|never)\\s+(?:\\w+\\s+)?(?:good|funny|great)"), "label", "negative"));
        JsonNode report = client.post("ingestion", "/api/v1/tasks/" + TASK
                + "/weak-labels/runs", "").body();
        say.accept(String.format(
                "rules in the loop (%s): %d of %d unlabelled sentences weakly labelled %s; weak labels "
                        + "stay hints and never train",
                report.path("model").asText(), report.path("weaklyLabelled").asInt(),
                report.path("unlabelled").asInt(), report.path("weakLabels")));
        for (JsonNode f : report.path("functions")) {
            say.accept(String.format("  %-9s coverage %.3f, conflict %.3f, accuracy %.3f on %,d labelled examples, "
                    + "learned %.3f", f.path("name").asText(), f.path("coverage").asDouble(),
                    f.path("conflict")
                            .asDouble(),
                    f.path("empiricalAccuracy").asDouble(), f.path("labelledExamples").asInt(), f
                            .path("learnedAccuracy").asDouble()));
        }
        return top.size();
    }

    private static boolean allScored(PlatformClient.Answer queue) {
        int pending = queue.body().path("pending").asInt();
        return pending > 0 && queue.body().path("scored").asInt() == pending;
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void stream(KafkaProducer<String, byte[]> producer, List<Example> examples, boolean withMalformed) {
        String topic = platform.topic(Topics.EXAMPLES_RAW);
        try {
            for (int i = 0; i < examples.size(); i++) {
                Example e = examples.get(i);
                String json = JSON.writeValueAsString(Map.of("id", e.id(), "task", TASK, "text", e.text(),
                        "label", e.label(), "metadata", Map.of("source", "sst2-sentences")));
                producer.send(new ProducerRecord<>(topic, e.id(), json.getBytes(StandardCharsets.UTF_8)));
                if (withMalformed && i % 500 == 250 && i / 500 < MALFORMED.size()) {
                    producer.send(new ProducerRecord<>(topic, "bad-" + i,
                            MALFORMED.get(i / 500).getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static final List<String> MALFORMED = List.of(
            "{\"id\": \"bad-1\", \"task\": \"" + TASK + "\", \"text\": ",
            "{\"id\": \"bad-2\", \"task\": \"" + TASK + "\", \"text\": \"   \", \"label\": \"positive\"}",
            "{\"id\": \"bad-3\", \"task\": \"" + TASK + "\", \"text\": \"fine\", \"label\": \"neutral\"}",
            "{\"id\": \"bad-4\", \"task\": \"no-such-task\", \"text\": \"fine\", \"label\": \"positive\"}",
            "{\"id\": \"bad-5\", \"task\": \"" + TASK + "\", \"text\": \"" + "very long ".repeat(500)
                    + "\", \"label\": \"positive\"}");

    private void summary(Result r, EventWatcher watcher, ModelEvaluatedEvent second, long streamed) {
        say.accept("---------------------------------------------------------------- summary");
        // Examples the annotator labelled came over REST, not in the stream.
        long duplicates = streamed - (r.ingested() - annotated) - r.rejected();
        say.accept(String.format("records streamed: %,d; ingested: %,d labelled; duplicates dropped: %,d (the same "
                + "sentence under another id); rejected: %,d %s", streamed, r.ingested(), duplicates, r.rejected(),
                watcher.rejectedByReason()));
        say.accept(String.format("snapshots: %d; models trained: %d; promotions: %d; drift measurements: %d (%d above "
                + "threshold)", watcher.snapshots().size(), watcher.trained().size(), watcher.promoted().size(),
                watcher.drift().size(), watcher.drift().stream().filter(d -> d.getExceeded()).count()));
        say.accept(String.format("second candidate %s: %s", second.getModelId(), second.getDecisionReason()));
        say.accept(String.format("champion: %s (version %d)", r.championModelId(), r.championVersion()));
        say.accept(String.format("champion test accuracy: %.4f on the task's golden test set; %.4f on %,d held-out "
                + "stsa.binary.test sentences", r.championStreamTestAccuracy(), r.championHeldOutAccuracy(),
                r.heldOutExamples()));
        say.accept(String.format("demo wall time: %.1f s", r.wallMillis() / 1000.0));
    }

    static List<String> texts(List<Example> examples) {
        return examples.stream().map(Example::text).toList();
    }

    static List<String> labels(List<Example> examples) {
        return examples.stream().map(Example::label).toList();
    }
}
