package io.finetide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.PlatformClient;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.StudyProgressEvent;

/**
 * A study across processes: a task created through the ingestion service asks for a study on its first snapshot; two
 * training processes each run a trial at once (the trials are handed to whichever is idle); one is killed with SIGKILL
 * in the middle of its trial, whose event the other is then given: it takes the trial over from its checkpoint, and
 * every trial completes exactly once. The study's best values become the task's next revision.
 */
class StudyIT {

    static final String TASK = "study";

    @Test
    void aStudySpreadsOverTwoTrainersAndSurvivesOneBeingKilled() throws Exception {
        Path root = LocalPaths.projectRoot();
        Path work = Files.createTempDirectory(root.resolve("integration-tests/target"), "study-");
        // No early stopping, a checkpoint every 5 updates, and a dead member noticed after 10 s instead of 45.
        Map<String, String> env = Map.of("FINETIDE_TRAINING_PATIENCE", "0", "FINETIDE_TRAINING_CHECKPOINT_EVERY_STEPS",
                "5", "FINETIDE_TRAINING_THREADS", "1", "KAFKA_SESSION_TIMEOUT_MS", "10000");
        LocalPlatform.Options options = LocalPlatform.Options.isolated(root, work).only(List.of("ingestion",
                "training")).withEnv(env);
        try (LocalPlatform platform = LocalPlatform.start(options, System.out::println);
                MongoClient mongo = MongoClients.create(platform.mongoUri());
                KafkaProducer<String, byte[]> producer = io.finetide.launcher.Producers.bytes(platform);
                KafkaConsumer<String, byte[]> progress = ItKafka.watcher(platform, Topics.STUDIES_PROGRESS);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform
                        .bootstrap()))) {
            platform.startInstance("training", "training-2", env);
            // Both trainers in the trials group with partitions of their own before the study starts.
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of("finetide-training-trials")).all()
                        .get().get("finetide-training-trials");
                return g.members().size() == 2 && g.members().stream().allMatch(m -> !m.assignment()
                        .topicPartitions().isEmpty());
            });
            PlatformClient client = new PlatformClient(platform);
            String task = """
                    {"name": "%s", "labels": ["vehicle", "fruit"],
                     "model": {"baseModel": "random", "layers": 2, "hiddenSize": 64, "heads": 2, "ffnSize": 128,
                               "maxSeqLen": 16},
                     "hyperParameters": {"epochs": 5, "learningRate": 0.0001, "batchSize": 16, "seed": 3},
                     "search": {"sampler": "GRID", "trials": 4, "parallelism": 2, "apply": true, "parameters": [
                       {"name": "learningRate", "values": [0.00003, 0.002]},
                       {"name": "weightDecay", "values": [0.0, 0.01]}]}}""".formatted(TASK);
            PlatformClient.Answer created = client.post("ingestion", "/api/v1/tasks", task);
            assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);

            ArtifactStore artifacts = new ArtifactStore(mongo.getDatabase(platform.options().database()
                    + "_artifacts"));
            String artifact = "datasets/" + TASK + "/" + TASK + "-v1.jsonl.gz";
            artifacts.putOnce(artifact, SnapshotFile.write(TrainingResumeIT.rows(500)), new Document());
            producer.send(new ProducerRecord<>(platform.topic(Topics.DATASETS_SNAPSHOTS), TASK, DatasetSnapshotEvent
                    .newBuilder().setMeta(Events.meta(TASK)).setSnapshotId(TASK + "-v1").setVersion(1).setArtifact(
                            artifact)
                    .build().toByteArray())).get();

            // Two trials at once, one on each trainer, each past its first epoch (so each has a checkpoint).
            String studyPath = "/api/v1/tasks/" + TASK + "/studies/" + TASK + "-s1";
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode s = client.get("training", studyPath).body();
                if (s == null || !s.has("trials")) {
                    return false;
                }
                Set<String> owners = new HashSet<>();
                s.get("trials").forEach(t -> {
                    if (t.get("state").asText().equals("RUNNING") && t.has("epochs") && t.get("epochs").size() >= 1) {
                        owners.add(t.get("owner").asText());
                    }
                });
                return owners.size() == 2;
            });
            JsonNode during = client.get("training-2", studyPath).body();
            // An owner is named host:port-id; the second trainer's port is its URL's.
            String port = ":" + URI.create(platform.url("training-2")).getPort() + "-";
            int killedTrial = -1;
            String killedOwner = "";
            for (JsonNode t : during.get("trials")) {
                if (t.get("state").asText().equals("RUNNING") && t.get("owner").asText().contains(port)) {
                    killedTrial = t.get("number").asInt();
                    killedOwner = t.get("owner").asText();
                }
            }
            assertThat(killedTrial).as("a trial running on the second trainer").isNotNegative();
            platform.kill("training-2");

            await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1)).until(() -> client.get(
                    "training", studyPath).body().get("state").asText().equals("COMPLETE"));
            JsonNode study = client.get("training", studyPath).body();
            List<String> states = new ArrayList<>();
            study.get("trials").forEach(t -> states.add(t.get("state").asText()));
            assertThat(states).containsExactly("COMPLETE", "COMPLETE", "COMPLETE", "COMPLETE");
            JsonNode taken = study.get("trials").get(killedTrial);
            assertThat(taken.get("attempt").asInt()).as("taken over once").isEqualTo(2);
            assertThat(taken.get("owner").asText()).isNotEqualTo(killedOwner);
            List<Integer> epochs = new ArrayList<>();
            taken.get("epochs").forEach(e -> epochs.add(e.get("epoch").asInt()));
            assertThat(epochs).as("every epoch once, the killed attempt's first").containsExactly(1, 2, 3, 4, 5);
            // Both trainers keep checkpoints in the same place here (as pods sharing a volume would): the trial goes on
            // from where the killed one left it. Without a shared volume it would be run again from the start.
            assertThat(Files.readString(work.resolve("logs/training.log"))).contains("trial " + TASK + "-s1/"
                    + killedTrial + " resumes from its checkpoint");

            // Each trial announced complete exactly once, whoever ran it; then the study, then its best applied.
            List<StudyProgressEvent> events = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : progress.poll(Duration.ofMillis(200))) {
                    events.add(StudyProgressEvent.parseFrom(r.value()));
                }
                return events.stream().anyMatch(e -> e.getPhase() == StudyProgressEvent.Phase.BEST_APPLIED);
            });
            assertThat(events).filteredOn(e -> e.getPhase() == StudyProgressEvent.Phase.TRIAL_COMPLETED).extracting(
                    StudyProgressEvent::getTrial).containsExactlyInAnyOrder(0, 1, 2, 3);
            assertThat(events).filteredOn(e -> e.getPhase() == StudyProgressEvent.Phase.STUDY_FINISHED).hasSize(1);

            // The task's next revision has the best trial's values; the rest of its hyper-parameters are as they were.
            JsonNode best = study.get("best").get("parameters");
            await().atMost(Duration.ofSeconds(30)).until(() -> client.get("ingestion", "/api/v1/tasks/" + TASK).body()
                    .get("revision").asInt() == 2);
            JsonNode hp = client.get("ingestion", "/api/v1/tasks/" + TASK).body().get("hyperParameters");
            assertThat(hp.get("learningRate").asDouble()).isEqualTo(best.get("learningRate").asDouble());
            assertThat(hp.path("weightDecay").asDouble()).isEqualTo(best.get("weightDecay").asDouble());
            assertThat(hp.get("epochs").asInt()).isEqualTo(5);
            assertThat(hp.get("batchSize").asInt()).isEqualTo(16);
        }
    }
}
