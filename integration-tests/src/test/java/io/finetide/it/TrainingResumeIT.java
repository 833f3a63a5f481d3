package io.finetide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.launcher.LocalPlatform;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.tasks.TaskRevisions;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TrainingProgressEvent;

/**
 * The training service killed with SIGKILL in the middle of a run (as an out-of-memory kill or a lost node would):
 * started again, it is handed the same snapshot (its offset was never committed), finds the run's checkpoint and goes
 * on from there instead of starting over; the model is announced once and the checkpoint removed.
 */
class TrainingResumeIT {

    static final String TASK = "resume";

    @Test
    void aKilledRunResumesFromItsCheckpoint() throws Exception {
        Path root = LocalPaths.projectRoot();
        Path work = Files.createTempDirectory(root.resolve("integration-tests/target"), "resume-");
        // No early stopping and a checkpoint every 5 updates: the run lasts long enough to be killed part-way.
        LocalPlatform.Options options = LocalPlatform.Options.isolated(root, work).only(List.of("training")).withEnv(
                Map.of("FINETIDE_TRAINING_PATIENCE", "0", "FINETIDE_TRAINING_CHECKPOINT_EVERY_STEPS", "5",
                        "FINETIDE_TRAINING_THREADS", "1"));
        try (LocalPlatform platform = LocalPlatform.start(options, System.out::println);
                MongoClient mongo = MongoClients.create(platform.mongoUri());
                KafkaProducer<String, byte[]> producer = io.finetide.launcher.Producers.bytes(platform);
                KafkaConsumer<String, byte[]> watch = ItKafka.watcher(platform, Topics.TRAINING_PROGRESS,
                        Topics.MODELS_TRAINED)) {
            TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent
                    .newBuilder().setName(TASK).addLabels("vehicle").addLabels("fruit")
                    .setModel(ModelSpec.newBuilder().setBaseModel("random").setLayers(2).setHiddenSize(64).setHeads(2)
                            .setFfnSize(128).setMaxSeqLen(16))
                    .setHyperParameters(HyperParameters.newBuilder().setEpochs(12).setLearningRate(1e-3)
                            .setBatchSize(16))
                    .build()), 1L);
            producer.send(new ProducerRecord<>(platform.topic(Topics.TASKS), TASK, task.toByteArray())).get();
            ArtifactStore artifacts = new ArtifactStore(mongo.getDatabase(platform.options().database()
                    + "_artifacts"));
            String artifact = "datasets/" + TASK + "/" + TASK + "-v1.jsonl.gz";
            artifacts.putOnce(artifact, SnapshotFile.write(rows(500)), new Document());
            DatasetSnapshotEvent snapshot = DatasetSnapshotEvent.newBuilder().setMeta(Events.meta(TASK))
                    .setSnapshotId(TASK + "-v1").setVersion(1).setArtifact(artifact).setContentHash(
                            "0123456789abcdef0123456789abcdef")
                    .build();
            producer.send(new ProducerRecord<>(platform.topic(Topics.DATASETS_SNAPSHOTS), TASK, snapshot
                    .toByteArray())).get();

            String modelId = TASK + "-m1";
            // One directory per model and snapshot content.
            Path checkpoint = platform.checkpointDir().resolve(modelId + "-0123456789abcdef").resolve(
                    "checkpoint.bin");
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> Files.exists(
                    checkpoint));
            platform.kill("training");
            List<TrainingProgressEvent> progress = new ArrayList<>();
            List<ModelTrainedEvent> trained = new ArrayList<>();
            drain(watch, progress, trained);
            assertThat(trained).as("killed before it finished").isEmpty();
            assertThat(Files.exists(checkpoint)).isTrue();

            platform.restart("training");
            // The killed consumer's partitions move to the new one once its session times out.
            await().atMost(Duration.ofMinutes(4)).until(() -> {
                drain(watch, progress, trained);
                return !trained.isEmpty();
            });
            assertThat(trained).extracting(ModelTrainedEvent::getModelId).containsExactly(modelId);
            assertThat(trained.get(0).getValidationMetrics().getAccuracy()).isGreaterThan(0.8);
            List<String> resumed = progress.stream().map(TrainingProgressEvent::getMessage).filter(m -> m.startsWith(
                    "resumed from the checkpoint at step")).toList();
            assertThat(resumed).hasSize(1);
            assertThat(progress).filteredOn(p -> p.getPhase() == TrainingProgressEvent.Phase.STARTED && p.getStep() > 0)
                    .singleElement().satisfies(p -> assertThat(p.getStep()).isGreaterThanOrEqualTo(5));
            // Removed right after the announcement (a crash in between keeps it for the retry): wait for it.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Files.exists(checkpoint
                    .getParent())).as("checkpoint removed once the model is stored").isFalse());
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.url(
                    "training") + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics.lines().filter(l -> l.startsWith("finetide_training_runs_resumed_total{")))
                    .singleElement().satisfies(l -> assertThat(l).contains("task=\"" + TASK + "\"").endsWith(" 1.0"));
        }
    }

    static List<SnapshotFile.Row> rows(int n) {
        String[] fruit = {"apple", "banana", "cherry", "grape", "lemon", "mango"};
        String[] vehicle = {"car", "truck", "bus", "train", "boat", "plane"};
        String[] filler = {"the", "a", "my", "old", "new", "red", "is", "was", "here", "today"};
        Random r = new Random(5);
        List<SnapshotFile.Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean isFruit = r.nextBoolean();
            String text = filler[r.nextInt(filler.length)] + " " + (isFruit
                    ? fruit[r.nextInt(6)]
                    : vehicle[r
                            .nextInt(6)])
                    + " " + filler[r.nextInt(filler.length)];
            String split = i % 10 == 0 ? "VALIDATION" : i % 10 == 1 ? "TEST" : "TRAIN";
            out.add(new SnapshotFile.Row("r" + i, text, isFruit ? "fruit" : "vehicle", split));
        }
        return out;
    }

    private static void drain(KafkaConsumer<String, byte[]> c, List<TrainingProgressEvent> progress,
            List<ModelTrainedEvent> trained) throws Exception {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
            if (r.topic().endsWith(Topics.TRAINING_PROGRESS)) {
                progress.add(TrainingProgressEvent.parseFrom(r.value()));
            } else {
                trained.add(ModelTrainedEvent.parseFrom(r.value()));
            }
        }
    }
}
