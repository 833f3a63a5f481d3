package io.finetide.training;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.tasks.TaskRevisions;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.StudyProgressEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TrialEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Studies through the service's API with its Kafka and MongoDB: a grid enumerated exactly and its best trial, a bad
 * spec refused with every problem, a replayed trial not run twice, and successive halving stopping a hopeless trial.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class StudyFlowIT {

    static TaskDefinitionEvent task(String name, int epochs) {
        return TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder().setName(name)
                .addLabels("vehicle").addLabels("fruit")
                .setModel(ModelSpec.newBuilder().setBaseModel("random").setLayers(1).setHiddenSize(32).setHeads(2)
                        .setFfnSize(64).setMaxSeqLen(16))
                .setHyperParameters(HyperParameters.newBuilder().setEpochs(epochs).setLearningRate(3e-3).setBatchSize(
                        16).setSeed(7))
                .build()), 1L);
    }

    /** The task and its snapshot on the topics; returns once the service keeps the snapshot. */
    static void taskWithSnapshot(FinetideTestResource.Context ctx, KafkaProducer<String, byte[]> p,
            ArtifactStore store, MongoClient mongo, TaskDefinitionEvent task) throws Exception {
        String name = task.getName();
        p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), name, task.toByteArray())).get();
        String id = name + "-v1";
        String artifact = "datasets/" + name + "/" + id + ".jsonl.gz";
        store.putOnce(artifact, SnapshotFile.write(TrainingFlowIT.rows(400, 3, "s")), new Document());
        p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), name, DatasetSnapshotEvent.newBuilder()
                .setMeta(Events.meta(name)).setSnapshotId(id).setVersion(1).setArtifact(artifact).build()
                .toByteArray())).get();
        await().atMost(Duration.ofMinutes(1)).until(() -> mongo.getDatabase(ctx.database()).getCollection(
                "snapshots").countDocuments(new Document("_id", id)) == 1);
    }

    static JsonPath awaitFinished(String task, String study) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() -> !given().get(
                "/api/v1/tasks/" + task + "/studies/" + study).jsonPath().getString("state").equals("RUNNING"));
        return given().get("/api/v1/tasks/" + task + "/studies/" + study).jsonPath();
    }

    @Test
    void aGridRunsEveryPointOnceAndNamesTheBest() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient mongo = MongoClients.create(ctx.mongoUri());
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> progress = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.STUDIES_PROGRESS));
                KafkaConsumer<String, byte[]> trials = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.STUDIES_TRIALS))) {
            ArtifactStore store = new ArtifactStore(mongo.getDatabase(ctx.artifactsDatabase()));
            taskWithSnapshot(ctx, p, store, mongo, task("grid", 2));

            // Every problem at once, each naming its parameter.
            given().contentType(ContentType.JSON).body("""
                    {"sampler": "GRID", "trials": 2, "parameters": [
                      {"name": "learningRate", "low": 0, "high": 0.01, "log": true},
                      {"name": "warmupSteps", "low": 1, "high": 2},
                      {"name": "batchSize", "values": [8, 16, 32]}]}""").post("/api/v1/tasks/grid/studies").then()
                    .statusCode(422).body("reason", equalTo("INVALID_STUDY")).body("problems", contains(
                            "parameters.learningRate: a log range needs low > 0",
                            "parameters.learningRate: 0.0 is outside what a task accepts ((0.0, 1.0])",
                            "parameters.warmupSteps: unknown; searchable are " + String.join(", ",
                                    io.finetide.platform.search.Tunable.names())));
            given().contentType(ContentType.JSON).body("{\"trials\": 2, \"parameters\": [{\"name\": \"epochs\", "
                    + "\"low\": 1, \"high\": 2}]}").post("/api/v1/tasks/nosuchtask/studies").then().statusCode(422)
                    .body("reason", equalTo("UNKNOWN_TASK"));
            given().contentType(ContentType.JSON).body("{\"trials\": 2, \"parameters\": [{\"name\": \"epochs\", "
                    + "\"lo\": 1}]}").post("/api/v1/tasks/grid/studies").then().statusCode(400).body("reason",
                            equalTo("MALFORMED_PAYLOAD"));

            // 2 rates x 2 batch sizes; the grid's order is the spec's, the first parameter varying slowest.
            String id = given().contentType(ContentType.JSON).body("""
                    {"sampler": "GRID", "trials": 4, "apply": true, "parameters": [
                      {"name": "learningRate", "values": [0.00001, 0.003]},
                      {"name": "batchSize", "values": [16, 32]}]}""").post("/api/v1/tasks/grid/studies").then()
                    .statusCode(201).body("id", equalTo("grid-s1")).body("snapshotId", equalTo("grid-v1")).extract()
                    .path("id");
            JsonPath study = awaitFinished("grid", id);
            assertThat(study.getString("state")).isEqualTo("COMPLETE");
            assertThat(study.getList("trials.state")).containsOnly("COMPLETE").hasSize(4);
            assertThat(study.getList("trials.parameters")).containsExactly(Map.of("learningRate", 1e-5f,
                    "batchSize", 16), Map.of("learningRate", 1e-5f, "batchSize", 32),
                    Map.of("learningRate", 0.003f,
                            "batchSize", 16),
                    Map.of("learningRate", 0.003f, "batchSize", 32));
            List<Float> values = study.getList("trials.value", Float.class);
            // A rate of 1e-5 barely moves a random start in two epochs; 3e-3 learns the task.
            assertThat(study.getFloat("best.value")).isEqualTo(values.stream().max(Float::compare).orElseThrow())
                    .isGreaterThan(0.8f);
            assertThat(study.getFloat("best.parameters.learningRate")).isEqualTo(0.003f);
            assertThat(study.getMap("importance").keySet()).first().isEqualTo("learningRate");
            assertThat(study.getList("trials.epochs", List.class)).allSatisfy(e -> assertThat(e).hasSize(2));
            assertThat(study.getInt("trialsByState.COMPLETE")).isEqualTo(4);
            // 320 training rows: 20 updates an epoch in batches of 16, 10 in batches of 32; two epochs each.
            assertThat(study.getList("trials.steps", Integer.class)).containsExactly(40, 20, 40, 20);

            // The progress topic: each trial started and completed, the study finished, its best to be applied.
            List<StudyProgressEvent> events = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(progress, Duration.ofMillis(200))) {
                    events.add(StudyProgressEvent.parseFrom(r.value()));
                }
                return events.stream().anyMatch(e -> e.getPhase() == StudyProgressEvent.Phase.BEST_APPLIED);
            });
            assertThat(events).filteredOn(e -> e.getPhase() == StudyProgressEvent.Phase.TRIAL_COMPLETED).extracting(
                    StudyProgressEvent::getTrial).containsExactlyInAnyOrder(0, 1, 2, 3);
            assertThat(events).filteredOn(e -> e.getPhase() == StudyProgressEvent.Phase.TRIAL_EPOCH).hasSize(8);
            StudyProgressEvent applied = events.stream().filter(e -> e
                    .getPhase() == StudyProgressEvent.Phase.BEST_APPLIED).findFirst().orElseThrow();
            assertThat(applied.getApply()).isTrue();
            assertThat(applied.getParametersMap()).containsEntry("learningRate", "0.003");
            assertThat(applied.getBestHyperParameters().getLearningRate()).isEqualTo(0.003);
            assertThat(applied.getBestHyperParameters().getEpochs()).isEqualTo(2);

            // A trial event delivered again runs nothing and counts nothing: the trials ended already.
            List<ConsumerRecord<String, byte[]>> sent = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                TestKafka.poll(trials, Duration.ofMillis(200)).forEach(sent::add);
                return sent.size() >= 4;
            });
            Set<Integer> numbers = new HashSet<>();
            for (ConsumerRecord<String, byte[]> r : sent) {
                numbers.add(TrialEvent.parseFrom(r.value()).getNumber());
            }
            assertThat(numbers).containsExactlyInAnyOrder(0, 1, 2, 3);
            p.send(new ProducerRecord<>(ctx.topic(Topics.STUDIES_TRIALS), sent.get(0).key(), sent.get(0).value()))
                    .get();
            // A later marker: a trial of a study that does not exist is dead-lettered after the replay is handled.
            p.send(new ProducerRecord<>(ctx.topic(Topics.STUDIES_TRIALS), "none/0", TrialEvent.newBuilder().setMeta(
                    Events.meta("grid")).setStudyId("grid-s99").build().toByteArray())).get();
            await().atMost(Duration.ofMinutes(1)).until(() -> PrometheusText.sum(given().get("/q/metrics")
                    .asString(), "finetide_training_trials_rejected_total", "reason", "not-found") >= 1);
            assertThat(PrometheusText.sum(given().get("/q/metrics").asString(), "finetide_training_study_trials_total",
                    "task", "grid")).isEqualTo(4.0);
            assertThat(given().get("/api/v1/tasks/grid/studies/" + id).jsonPath().getList("trials.attempt"))
                    .containsOnly(1);
        }
    }

    @Test
    void successiveHalvingStopsAHopelessTrialAtTheFirstRung() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient mongo = MongoClients.create(ctx.mongoUri());
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(mongo.getDatabase(ctx.artifactsDatabase()));
            taskWithSnapshot(ctx, p, store, mongo, task("halving", 3));
            // In order: a rate that learns, then one that cannot. At epoch 1 (a rung) the second is behind the first,
            // and with fewer than 2 competitors only the best goes on.
            String id = given().contentType(ContentType.JSON).body("""
                    {"sampler": "GRID", "trials": 2, "pruner": "SUCCESSIVE_HALVING", "reductionFactor": 2,
                     "parameters": [{"name": "learningRate", "values": [0.003, 0.0000001]}]}""").post(
                    "/api/v1/tasks/halving/studies").then().statusCode(201).extract().path("id");
            JsonPath study = awaitFinished("halving", id);
            assertThat(study.getList("trials.state")).containsExactly("COMPLETE", "PRUNED");
            assertThat(study.getList("trials[1].epochs")).hasSize(1);
            assertThat(study.getList("trials.steps", Integer.class)).as("what pruning saved").containsExactly(60, 20);
            assertThat(study.getString("trials[1].message")).startsWith("pruned after epoch 1");
            assertThat(study.getFloat("trials[1].value")).isLessThan(study.getFloat("trials[0].epochs[0].value"));
            assertThat(study.getInt("best.trial")).isZero();
            assertThat(PrometheusText.sum(given().get("/q/metrics").asString(), "finetide_training_study_trials_total",
                    "task", "halving", "state", "pruned")).isEqualTo(1.0);
        }
    }

    @Test
    void aStoppedStudyStartsNoMoreTrialsAndEndsStopped() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient mongo = MongoClients.create(ctx.mongoUri());
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(mongo.getDatabase(ctx.artifactsDatabase()));
            taskWithSnapshot(ctx, p, store, mongo, task("stopped", 3));
            String id = given().contentType(ContentType.JSON).body("""
                    {"sampler": "RANDOM", "trials": 20, "parameters": [
                      {"name": "learningRate", "low": 0.0001, "high": 0.01, "log": true}]}""").post(
                    "/api/v1/tasks/stopped/studies").then().statusCode(201).extract().path("id");
            given().post("/api/v1/tasks/stopped/studies/" + id + "/stop").then().statusCode(202).body(
                    "stopRequested", equalTo(true));
            JsonPath study = awaitFinished("stopped", id);
            assertThat(study.getString("state")).isEqualTo("STOPPED");
            // The one trial handed out before the stop either ran to its end or was cancelled; no other started.
            assertThat(study.getList("trials")).hasSize(1);
            assertThat(study.getString("trials[0].state")).isIn("COMPLETE", "CANCELLED");
            given().post("/api/v1/tasks/stopped/studies/nosuchstudy/stop").then().statusCode(404).body("reason",
                    equalTo("NOT_FOUND"));
        }
    }
}
