package io.finetide.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.PlatformClient;
import io.finetide.launcher.store.PlatformStores;
import io.finetide.model.train.LabelledText;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.tasks.TaskRevisions;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * A real study through the training service: MiniLM-L6 fine-tuned on a seeded sample of SST-2's phrases, validated on
 * 500 of GLUE dev, searched over the learning rate and the batch size. TPE with successive halving against random
 * search without pruning, the same number of trials each, on the same snapshot of one task (TPE first: a later TPE
 * study would be warm-started by the random one's trials; random search learns from nothing). For each: the best
 * validation accuracy, what its configuration scores on the test set (GLUE dev's 872 sentences, trained again from the
 * base with the same settings by the model library), and the updates all trials made together.
 */
final class StudyBenchmark {

    static final String TASK = "sst2-study";

    record Options(int train, int trials, int epochs, int threads) {
    }

    private final Path root;
    private final Path datasets;
    private final Options o;
    private final Consumer<String> say;

    StudyBenchmark(Path root, Path datasets, Options options, Consumer<String> say) {
        this.root = root;
        this.datasets = datasets;
        this.o = options;
        this.say = say;
    }

    String run() throws Exception {
        LabelledSets.Dataset d = new LabelledSets(datasets).load("sst2");
        List<LabelledText> train = LabelledSets.cap(d.train(), o.train(), 7);
        List<LabelledText> validation = LabelledSets.cap(d.validation(), 500, 5);
        LabelledSets.Dataset sample = new LabelledSets.Dataset(d.name(), d.labels(), train, validation, d
                .test(), d.bar());
        LocalPlatform.Options platformOptions = LocalPlatform.Options.isolated(root, root.resolve(".run/bench-study"))
                .only(List.of("training")).withEnv(Map.of("FINETIDE_TRAINING_THREADS", Integer.toString(o
                        .threads()), "FINETIDE_TRAINING_PATIENCE", "0"));
        Bench.deleteTree(platformOptions.workDir());
        List<String> rows = new ArrayList<>();
        try (LocalPlatform platform = LocalPlatform.start(platformOptions, say);
                PlatformStores databases = new PlatformStores(platform.mongoUri(), platformOptions
                        .database());
                KafkaProducer<String, byte[]> producer = StageBenchmark.producer(platform.bootstrap())) {
            PlatformClient client = new PlatformClient(platform);
            // The task itself trains one epoch (the candidate its snapshot starts costs little); every trial trains
            // o.epochs, a parameter of one value.
            TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitions.fromJson("""
                    {"name": "%s", "labels": ["0", "1"], "model": {"baseModel": "minilm-l6", "maxSeqLen": 64},
                     "hyperParameters": {"epochs": 1}}""".formatted(TASK))), System.currentTimeMillis());
            producer.send(new ProducerRecord<>(platform.topic(Topics.TASKS), TASK, task.toByteArray())).get();
            List<SnapshotFile.Row> snapshot = new ArrayList<>();
            add(snapshot, train, "TRAIN", d.labels());
            add(snapshot, validation, "VALIDATION", d.labels());
            add(snapshot, d.test(), "TEST", d.labels());
            String artifact = "datasets/" + TASK + "/" + TASK + "-v1.jsonl.gz";
            databases.putArtifact(artifact, SnapshotFile.write(snapshot));
            producer.send(new ProducerRecord<>(platform.topic(Topics.DATASETS_SNAPSHOTS), TASK, DatasetSnapshotEvent
                    .newBuilder().setMeta(Events.meta(TASK)).setSnapshotId(TASK + "-v1").setVersion(1).setArtifact(
                            artifact)
                    .build().toByteArray())).get();
            await(Duration.ofMinutes(5), () -> databases.trainingSnapshots() == 1);
            for (String sampler : List.of("TPE", "RANDOM")) {
                String pruner = sampler.equals("TPE") ? "SUCCESSIVE_HALVING" : "NONE";
                String spec = """
                        {"sampler": "%s", "pruner": "%s", "trials": %d, "seed": 1, "parameters": [
                          {"name": "learningRate", "low": 0.00001, "high": 0.0003, "log": true},
                          {"name": "batchSize", "values": [16, 32]},
                          {"name": "epochs", "values": [%d]}]}""".formatted(sampler, pruner, o.trials(), o.epochs());
                long started = System.nanoTime();
                PlatformClient.Answer created = client.post("training", "/api/v1/tasks/" + TASK + "/studies", spec);
                if (created.status() != 201) {
                    throw new IllegalStateException("study refused: " + created.body());
                }
                String path = "/api/v1/tasks/" + TASK + "/studies/" + created.body().get("id").asText();
                say.accept(sampler + " study " + created.body().get("id").asText() + " started");
                await(Duration.ofHours(3), () -> !client.get("training", path).body().get("state").asText()
                        .equals("RUNNING"));
                double seconds = (System.nanoTime() - started) / 1e9;
                JsonNode study = client.get("training", path).body();
                rows.add(row(sampler + (pruner.equals("NONE")
                        ? ""
                        : " + " + pruner.toLowerCase(Locale.ROOT)
                                .replace('_', ' ')),
                        study, seconds, sample, train.size()));
            }
        }
        return "| study | trials (complete / pruned) | best validation accuracy | its values | its test accuracy "
                + "(trained again) | updates, all trials | wall time |\n|---|---|---:|---|---:|---:|---:|\n" + String
                        .join("\n", rows)
                + "\n";
    }

    private String row(String name, JsonNode study, double seconds, LabelledSets.Dataset d, int trainSize) {
        JsonNode best = study.get("best");
        double lr = best.get("parameters").get("learningRate").asDouble();
        int batch = best.get("parameters").get("batchSize").asInt();
        long steps = 0;
        for (JsonNode t : study.get("trials")) {
            steps += t.get("steps").asLong();
        }
        say.accept(name + ": best " + best + "; training it again to test it");
        QualityBenchmark.Outcome test = new QualityBenchmark(datasets, quality(lr, batch), say).fineTuneFromBase(d, d
                .train());
        return String.format(Locale.ROOT,
                "| %s | %d / %d | %.4f | learning rate %.2e, batch %d | %.4f | %,d | %.0f s |",
                name, study.get("trialsByState").get("COMPLETE").asInt(), study.get("trialsByState").get("PRUNED")
                        .asInt(),
                best.get("value").asDouble(), lr, batch, test.report().accuracy(), steps, seconds);
    }

    /** Polls once a second until the condition holds (a benchmark waits on a live platform). */
    private static void await(Duration timeout, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not done within " + timeout);
            }
            Thread.sleep(1000);
        }
    }

    private QualityBenchmark.Options quality(double lr, int batch) {
        return new QualityBenchmark.Options("sst2", "minilm-l6", o.train(), o.epochs(), lr, batch, 64, "full", false,
                false,
                o.threads(), java.util.Optional.empty());
    }

    private static void add(List<SnapshotFile.Row> rows, List<LabelledText> examples, String split,
            List<String> labels) {
        for (LabelledText e : examples) {
            rows.add(new SnapshotFile.Row(split.toLowerCase(Locale.ROOT) + rows.size(), e.text(), labels.get(e
                    .label()), split));
        }
    }
}
