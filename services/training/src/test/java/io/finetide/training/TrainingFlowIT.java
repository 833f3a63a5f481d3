package io.finetide.training;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.pretrained.FolderArchive;
import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.pretrained.SafeTensors;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.BaseModelArtifacts;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.tasks.TaskRevisions;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.DifferentialPrivacy;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.PrivacySpec;
import io.finetide.proto.v1.PrivacySpend;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TrainingProgressEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class TrainingFlowIT {

    static final String[] FRUIT = {"apple", "banana", "cherry", "grape", "lemon", "mango"};
    static final String[] VEHICLE = {"car", "truck", "bus", "train", "boat", "plane"};
    static final String[] FILLER = {"the", "a", "my", "old", "new", "red", "is", "was", "here", "today"};

    static List<SnapshotFile.Row> rows(int n, long seed, String prefix) {
        Random r = new Random(seed);
        List<SnapshotFile.Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean fruit = r.nextBoolean();
            String text = FILLER[r.nextInt(FILLER.length)] + " " + (fruit ? FRUIT[r.nextInt(6)] : VEHICLE[r.nextInt(6)])
                    + " " + FILLER[r.nextInt(FILLER.length)];
            String split = i % 10 == 0 ? "VALIDATION" : i % 10 == 1 ? "TEST" : "TRAIN";
            out.add(new SnapshotFile.Row(prefix + i, text, fruit ? "fruit" : "vehicle", split));
        }
        return out;
    }

    @Test
    void snapshotsBecomeModelsOnceAndTheNextContinuesFromTheChampion() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName("tr").addLabels("vehicle").addLabels("fruit")
                .setModel(ModelSpec.newBuilder().setBaseModel("random").setLayers(1).setHiddenSize(32).setHeads(2)
                        .setFfnSize(64)
                        .setMaxSeqLen(16))
                .setHyperParameters(HyperParameters.newBuilder().setEpochs(3).setLearningRate(3e-3)
                        .setBatchSize(16))
                .setPreprocessing(io.finetide.proto.v1.PreprocessingSpec.newBuilder().setTruncation(
                        io.finetide.proto.v1.Truncation.TAIL))
                .build()), 1L);
        try (Clients c = Clients.open(ctx)) {
            var p = c.producer();
            var trainedC = c.trained();
            var progressC = c.progress();
            ArtifactStore store = c.store();
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "tr", task.toByteArray())).get();
            DatasetSnapshotEvent v1 = snapshot(store, 1, rows(300, 1, "a"));
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "tr", v1.toByteArray())).get();
            // A replay of the same snapshot must not train again.
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "tr", v1.toByteArray())).get();

            List<ModelTrainedEvent> trained = new ArrayList<>();
            List<TrainingProgressEvent> progress = new ArrayList<>();
            await().atMost(Duration.ofMinutes(3)).until(() -> {
                collect("tr", trainedC, progressC, trained, progress);
                return trained.size() >= 1
                        && progress.stream().anyMatch(e -> e.getPhase() == TrainingProgressEvent.Phase.FINISHED)
                        && PrometheusText.sum(given().get("/q/metrics").asString(),
                                "finetide_training_runs_total", "outcome", "skipped") >= 1;
            });
            ModelTrainedEvent m1 = trained.get(0);
            assertThat(m1.getModelId()).isEqualTo("tr-m1");
            assertThat(m1.getParentModelId()).isEmpty();
            assertThat(m1.getValidationMetrics().getAccuracy()).isGreaterThan(0.8);
            assertThat(progress).extracting(TrainingProgressEvent::getPhase).startsWith(
                    TrainingProgressEvent.Phase.STARTED, TrainingProgressEvent.Phase.STEPS)
                    .contains(TrainingProgressEvent.Phase.EPOCH_END, TrainingProgressEvent.Phase.FINISHED);
            // 240 training rows in batches of 16: 15 updates an epoch, 45 in all. A tenth of an epoch is less than one
            // update, so every update is announced, in order, with where the run stands.
            List<TrainingProgressEvent> steps = progress.stream().filter(e -> e
                    .getPhase() == TrainingProgressEvent.Phase.STEPS).toList();
            assertThat(steps).extracting(TrainingProgressEvent::getStep).containsExactlyElementsOf(
                    java.util.stream.LongStream.rangeClosed(1, 45).boxed().toList());
            assertThat(steps).extracting(TrainingProgressEvent::getEpoch).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 45).mapToObj(i -> i / 15 + 1).toList());
            assertThat(steps.get(14).getFraction()).isCloseTo(15 / 45.0, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(steps.get(44).getFraction()).isEqualTo(1.0);
            assertThat(steps.get(44).getEtaSeconds()).isEqualTo(0.0);
            assertThat(steps).allSatisfy(e -> {
                assertThat(e.getExamplesPerSecond()).isPositive();
                assertThat(e.getLearningRate()).isPositive();
                assertThat(e.getTotalSteps()).isEqualTo(45);
            });
            String metrics = given().get("/q/metrics").asString();
            assertThat(PrometheusText.sum(metrics, "finetide_training_run_step", "task", "tr")).isEqualTo(45.0);
            assertThat(PrometheusText.sum(metrics, "finetide_training_run_progress", "task", "tr")).isEqualTo(1.0);
            assertThat(PrometheusText.sum(metrics, "finetide_training_run_active", "task", "tr")).isEqualTo(0.0);
            assertThat(PrometheusText.sum(metrics, "finetide_training_steps_total", "task", "tr")).isEqualTo(45.0);
            assertThat(PrometheusText.sum(metrics, "finetide_training_runs_total", "task", "tr", "outcome",
                    "completed")).isEqualTo(1.0);
            ModelBundle bundle = ModelBundle.fromBytes(store.require(m1.getArtifact()));
            assertThat(bundle.labels()).containsExactly("vehicle", "fruit");
            assertThat(bundle.metadata()).containsEntry("snapshotId", "tr-v1");
            // The task's policy travels with the model, so serving cuts long texts as training did.
            assertThat(bundle.truncation()).isEqualTo(io.finetide.model.tokenizer.Truncation.TAIL);
            // Calibrated on the validation split: the temperature is the one that makes its labels most likely, and the
            // probabilities the model serves are the rescaled ones.
            List<SnapshotFile.Row> validation = rows(300, 1, "a").stream().filter(r -> r.split().equals(
                    "VALIDATION")).toList();
            try (io.finetide.model.infer.Classifier classifier = io.finetide.model.infer.Classifier.load(bundle, 1)) {
                float[][] raw = classifier.uncalibratedProbabilities(validation.stream().map(SnapshotFile.Row::text)
                        .toList());
                double[][] logits = java.util.Arrays.stream(raw).map(
                        io.finetide.model.metrics.TemperatureScaling::logits).toArray(double[][]::new);
                int[] labels = validation.stream().mapToInt(r -> bundle.labels().indexOf(r.label())).toArray();
                assertThat(bundle.temperature()).isCloseTo(io.finetide.model.metrics.TemperatureScaling.fit(logits,
                        labels), org.assertj.core.data.Offset.offset(1e-6)).isNotEqualTo(1.0);
                assertThat(io.finetide.model.metrics.TemperatureScaling.nll(logits, labels, bundle.temperature()))
                        .isLessThan(io.finetide.model.metrics.TemperatureScaling.nll(logits, labels, 1.0));
                float[] served = classifier.probabilities(List.of(validation.get(0).text()))[0];
                assertThat(served[0]).isCloseTo((float) io.finetide.model.metrics.TemperatureScaling.probabilities(
                        logits[0], bundle.temperature())[0], org.assertj.core.data.Offset.offset(1e-6f));
            }

            ModelPromotedEvent champion = ModelPromotedEvent.newBuilder().setMeta(Events.meta("tr"))
                    .setModelId(m1.getModelId()).setArtifact(m1.getArtifact()).build();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "tr", champion.toByteArray())).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusText.sum(given().get("/q/metrics")
                    .asString(), "finetide_training_champions_known") == 1.0);
            DatasetSnapshotEvent v2 = snapshot(store, 2, rows(400, 2, "b"));
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "tr", v2.toByteArray())).get();
            await().atMost(Duration.ofMinutes(3)).until(() -> {
                collect("tr", trainedC, progressC, trained, progress);
                return trained.size() >= 2;
            });
            assertThat(trained).hasSize(2);
            assertThat(trained.get(1).getModelId()).isEqualTo("tr-m2");
            assertThat(trained.get(1).getParentModelId()).isEqualTo("tr-m1");
        }
        given().get("/api/v1/tasks/tr/training-runs").then().statusCode(200);
    }

    /**
     * A private task's first run is charged and trains with DP-SGD; its second would take the task past its budget
     * and is refused before its first update. 240 training rows in expected batches of 16, one epoch: 15 updates at a
     * sampling rate of 1/15 and noise 1.0 spend ε 2.85 at δ 1e-5, two such runs 3.45 (dp-accounting's figures); the
     * budget is 3.
     */
    /**
     * A snapshot naming a task nobody defined (a forged or corrupted record) is refused as soon as training has read
     * the whole tasks topic, not after waiting the definition's full grace period: the fuzzing campaign sends
     * thousands of such records, and each held the consumer for 30 s.
     */
    @Test
    void aSnapshotOfATaskNobodyDefinedIsRefusedOnceTheTasksTopicIsReadToItsEnd() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (Clients c = Clients.open(ctx);
                KafkaConsumer<String, byte[]> dead = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.DEAD_LETTER))) {
            DatasetSnapshotEvent ghost = snapshot(c.store(), "ghost", 1, rows(20, 1, "g"));
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "ghost", ghost
                    .toByteArray())).get();
            List<ConsumerRecord<String, byte[]>> refused = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                TestKafka.poll(dead, Duration.ofMillis(200)).stream().filter(r -> "ghost".equals(r.key())).forEach(
                        refused::add);
                return !refused.isEmpty();
            });
            assertThat(refused).singleElement().satisfies(r -> {
                assertThat(TestKafka.header(r, DeadLetters.REASON)).isEqualTo("UNKNOWN_TASK");
                assertThat(TestKafka.header(r, DeadLetters.MESSAGE)).contains("'ghost'", "read to its end");
            });
        }
    }

    @Test
    void aFailedRunIsRetriedByAReplayOfItsEventAndNotByAnotherEventUnderItsSnapshotId() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName("rf").addLabels("vehicle").addLabels("fruit")
                .setModel(ModelSpec.newBuilder().setBaseModel("random").setLayers(1).setHiddenSize(32).setHeads(2)
                        .setFfnSize(64).setMaxSeqLen(16))
                .setHyperParameters(HyperParameters.newBuilder().setEpochs(1).setLearningRate(3e-3).setBatchSize(16))
                .build()), 1L);
        try (Clients c = Clients.open(ctx);
                KafkaConsumer<String, byte[]> dead = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.DEAD_LETTER))) {
            var p = c.producer();
            var trainedC = c.trained();
            var progressC = c.progress();
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "rf", task.toByteArray())).get();
            // Announced before its file was stored: the run fails.
            DatasetSnapshotEvent announced = DatasetSnapshotEvent.newBuilder().setMeta(Events.meta("rf"))
                    .setSnapshotId("rf-v1").setVersion(1).setArtifact("datasets/rf/rf-v1-late.jsonl.gz").build();
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "rf", announced.toByteArray())).get();
            // Another event under its id, as a bit flipped in the artifact's name makes one.
            DatasetSnapshotEvent flipped = announced.toBuilder().setArtifact("datasets/rf/rf-v1-lbte.jsonl.gz")
                    .build();
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "rf", flipped.toByteArray())).get();
            List<String> messages = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                TestKafka.poll(dead, Duration.ofMillis(200)).stream().filter(r -> "rf".equals(r.key())).forEach(
                        r -> messages.add(TestKafka.header(r, DeadLetters.MESSAGE)));
                return messages.size() >= 2;
            });
            assertThat(messages.get(0)).contains("training failed", "rf-v1-late");
            // Refused without a second attempt, which would have failed on the flipped name.
            assertThat(messages.get(1)).contains("not the one that announced it", "rf-v1-late").doesNotContain(
                    "lbte");
            given().get("/api/v1/tasks/rf/training-runs").then().statusCode(200)
                    .body("find { it.snapshotId == 'rf-v1' }.status", equalTo("FAILED"))
                    .body("find { it.snapshotId == 'rf-v1' }.message", containsString("rf-v1-late"));

            // The file stored at last, the announcement replayed from the dead-letter topic trains.
            c.store().putOnce(announced.getArtifact(), SnapshotFile.write(rows(300, 1, "f")), new Document());
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "rf", announced.toByteArray())).get();
            awaitModel(trainedC, progressC, "rf-m1");
        }
    }

    @Test
    void aPrivateTasksRunIsChargedAndTheRunPastItsBudgetIsRefused() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName("dp").addLabels("vehicle").addLabels("fruit")
                .setModel(ModelSpec.newBuilder().setBaseModel("random").setLayers(1).setHiddenSize(32).setHeads(2)
                        .setFfnSize(64).setMaxSeqLen(16))
                .setHyperParameters(HyperParameters.newBuilder().setEpochs(1).setLearningRate(1e-3).setBatchSize(16))
                .setPrivacy(PrivacySpec.newBuilder().setDifferentialPrivacy(DifferentialPrivacy.newBuilder()
                        .setEpsilonBudget(3).setNoiseMultiplier(1.0)))
                .build()), 1L);
        try (Clients c = Clients.open(ctx)) {
            var p = c.producer();
            var trainedC = c.trained();
            var progressC = c.progress();
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "dp", task.toByteArray())).get();
            DatasetSnapshotEvent v1 = snapshot(c.store(), "dp", 1, rows(300, 5, "p"));
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "dp", v1.toByteArray())).get();
            ModelTrainedEvent m1 = awaitModel(trainedC, progressC, "dp-m1");
            PrivacySpend spend = m1.getPrivacySpend();
            assertThat(spend.getSamplingRate()).isCloseTo(16 / 240.0, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(spend.getSteps()).isEqualTo(15);
            assertThat(spend.getNoiseMultiplier()).isEqualTo(1.0);
            assertThat(spend.getClipNorm()).isEqualTo(1.0);
            assertThat(spend.getDelta()).isEqualTo(1e-5);
            assertThat(spend.getEpsilon()).isCloseTo(2.850448240525741, org.assertj.core.data.Percentage
                    .withPercentage(0.01));
            assertThat(spend.getTaskEpsilon()).isEqualTo(spend.getEpsilon());
            assertThat(spend.getEpsilonBudget()).isEqualTo(3.0);
            // The bundle names the run's settings but not its secret noise seed.
            ModelBundle bundle = ModelBundle.fromBytes(c.store().require(m1.getArtifact()));
            assertThat(bundle.metadata().toString()).contains("DpSgd[clipNorm=1.0, noiseMultiplier=1.0]");
            Document charge = c.mongo().getDatabase(ctx.database()).getCollection("privacy_ledger").find().first();
            String seed = String.valueOf(charge.getLong("noiseSeed"));
            assertThat(charge.getString("_id")).isEqualTo("dp-v1");
            assertThat(bundle.metadata().toString()).doesNotContain(seed);
            assertThat(com.google.protobuf.util.JsonFormat.printer().print(m1)).doesNotContain(seed);

            DatasetSnapshotEvent v2 = snapshot(c.store(), "dp", 2, rows(300, 6, "q"));
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "dp", v2.toByteArray())).get();
            // The dead letter's count comes last (the refusal is counted where the run is refused, the dead letter
            // once the exception reaches the record handler): wait for it, then read both.
            await().atMost(Duration.ofMinutes(2)).until(() -> PrometheusText.sum(given().get("/q/metrics")
                    .asString(), "finetide_training_snapshots_rejected_total", "reason",
                    "privacy-budget-exhausted") >= 1.0);
            String metrics = given().get("/q/metrics").asString();
            assertThat(PrometheusText.sum(metrics, "finetide_training_snapshots_rejected_total", "reason",
                    "privacy-budget-exhausted")).isEqualTo(1.0);
            assertThat(PrometheusText.sum(metrics, "finetide_training_privacy_refusals_total", "task", "dp"))
                    .isEqualTo(1.0);
            assertThat(PrometheusText.sum(metrics, "finetide_training_privacy_epsilon_spent", "task", "dp"))
                    .isCloseTo(2.850448240525741, org.assertj.core.data.Percentage.withPercentage(0.01));
            given().get("/api/v1/tasks/dp/training-runs").then().statusCode(200)
                    .body("find { it.snapshotId == 'dp-v2' }.status", equalTo("FAILED"))
                    .body("find { it.snapshotId == 'dp-v2' }.message", containsString(
                            "privacy budget exhausted: task 'dp' has spent ε 2.850 of its 3.000"))
                    .body("find { it.snapshotId == 'dp-v2' }.message", containsString("would take it to 3.449"));
            // The budget's standing: one charge, the refused run none, and no seed in the answer.
            String standing = given().get("/api/v1/tasks/dp/privacy").then().statusCode(200)
                    .body("epsilonBudget", equalTo(3.0f)).body("runs.snapshotId", contains("dp-v1"))
                    .extract().asString();
            assertThat(standing).doesNotContain("noiseSeed").doesNotContainIgnoringCase("seed");
            given().get("/api/v1/tasks/tr-none/privacy").then().statusCode(404);
        }
    }

    @Test
    void theTasksStrategyTrainsOnlyWhatItNamesAndLoraIsMergedIntoTheBundle() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName("lo").addLabels("vehicle").addLabels("fruit")
                .setModel(ModelSpec.newBuilder().setBaseModel("random").setLayers(2).setHiddenSize(32).setHeads(2)
                        .setFfnSize(64).setMaxSeqLen(16))
                .setHyperParameters(HyperParameters.newBuilder().setEpochs(3).setLearningRate(1e-2).setBatchSize(16)
                        .setFineTuning(io.finetide.proto.v1.FineTuning.newBuilder().setStrategy(
                                io.finetide.proto.v1.FineTuningStrategy.LORA).setLoraRank(4)))
                .build()), 1L);
        try (Clients c = Clients.open(ctx)) {
            var p = c.producer();
            var trainedC = c.trained();
            var progressC = c.progress();
            ArtifactStore store = c.store();
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "lo", task.toByteArray())).get();
            DatasetSnapshotEvent v1 = snapshot(store, "lo", 1, rows(300, 1, "a"));
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "lo", v1.toByteArray())).get();
            ModelTrainedEvent m1 = awaitModel(trainedC, progressC, "lo-m1");
            ModelBundle bundle = ModelBundle.fromBytes(store.require(m1.getArtifact()));
            assertThat(bundle.metadata()).containsEntry("strategy", "lora-4");
            // The random base the run started from, as the service drew it.
            io.finetide.model.transformer.Weights base = io.finetide.model.transformer.Weights.initialise(
                    bundle.config(),
                    task.getHyperParameters().getSeed());
            for (String name : base.tensors().keySet()) {
                boolean adapted = name.endsWith("attention.self.query.weight") || name.endsWith(
                        "attention.self.value.weight") || name.startsWith("classifier");
                if (adapted) {
                    assertThat(bundle.weights().get(name).values()).as(name).isNotEqualTo(base.get(name).values());
                } else {
                    assertThat(bundle.weights().get(name).values()).as(name).isEqualTo(base.get(name).values());
                }
            }
            // The exported model is a plain encoder of the base's shape: no adapter tensors travel.
            assertThat(bundle.weights().tensors().keySet()).noneMatch(n -> n.contains("lora"));
            assertThat(m1.getValidationMetrics().getAccuracy()).isGreaterThan(0.8);
        }
    }

    @Test
    void aTokenClassificationTaskTrainsATaggerChosenByEntityF1() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = taggingTask("tg", 1);
        try (Clients c = Clients.open(ctx)) {
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "tg", task.toByteArray())).get();
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "tg", snapshot(c.store(),
                    "tg", 1, io.finetide.testing.TaggedRows.rows("g", 300, 3)).toByteArray())).get();
            ModelTrainedEvent m1 = awaitModel(c.trained(), c.progress(), "tg-m1");
            ModelBundle bundle = ModelBundle.fromBytes(c.store().require(m1.getArtifact()));
            assertThat(bundle.config().head()).isEqualTo(Head.TOKEN);
            assertThat(bundle.labels()).containsExactly("O", "B-fruit", "I-fruit", "B-vehicle", "I-vehicle");
            // The validation figure of a tagging task is the entity-level F1.
            assertThat(m1.getValidationMetrics().getAccuracy()).isGreaterThan(0.8);
            assertThat(m1.getTrainExamples()).isEqualTo(240);
            try (io.finetide.model.infer.Tagger tagger = io.finetide.model.infer.Tagger.load(bundle, 1)) {
                assertThat(tagger.tag(List.of(List.of("my", "sweet", "mango", "and", "the", "bus"))).get(0).tags())
                        .containsExactly("O", "B-fruit", "I-fruit", "O", "O", "B-vehicle");
            }
        }
    }

    /**
     * Pairs labelled by the kind of thing the second text names; the first names one too, at random. A model that
     * read only the first text would be right half the time, one that read both as a bag of words three times in four
     * (it cannot tell which noun is whose when the kinds differ).
     */
    static List<SnapshotFile.Row> pairRows(int n, long seed, String prefix) {
        Random r = new Random(seed);
        List<SnapshotFile.Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean firstFruit = r.nextBoolean();
            boolean secondFruit = r.nextBoolean();
            String text = FILLER[r.nextInt(FILLER.length)] + " " + (firstFruit ? FRUIT : VEHICLE)[r.nextInt(6)];
            String textPair = FILLER[r.nextInt(FILLER.length)] + " " + (secondFruit ? FRUIT : VEHICLE)[r.nextInt(6)];
            String split = i % 10 == 0 ? "VALIDATION" : i % 10 == 1 ? "TEST" : "TRAIN";
            out.add(SnapshotFile.Row.pair(prefix + i, text, textPair, secondFruit ? "fruit" : "vehicle", split));
        }
        return out;
    }

    @Test
    void aTextPairTaskTrainsAClassifierOfBothTextsAtTheSnapshotsLength() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = pairTask("tp");
        try (Clients c = Clients.open(ctx)) {
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "tp", task.toByteArray())).get();
            // The snapshot chose 24 tokens for the task (16): the run reads at the snapshot's length.
            io.finetide.proto.v1.SequenceLength length = io.finetide.proto.v1.SequenceLength.newBuilder()
                    .setMaxSeqLen(24).setFromData(true).setCap(256).build();
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "tp", snapshot(c.store(),
                    "tp", 1, pairRows(800, 5, "p")).toBuilder().setSequenceLength(length).build().toByteArray()))
                    .get();
            ModelTrainedEvent m1 = awaitModel(c.trained(), c.progress(), "tp-m1");
            ModelBundle bundle = ModelBundle.fromBytes(c.store().require(m1.getArtifact()));
            assertThat(bundle.textPairs()).isTrue();
            assertThat(bundle.maxSeqLength()).isEqualTo(24);
            assertThat(bundle.config().maxPositions()).isEqualTo(24);
            assertThat(m1.getModel().getMaxSeqLen()).isEqualTo(24);
            assertThat(m1.getTask().getModel().getMaxSeqLen()).isEqualTo(24);
            assertThat(m1.getSequenceLength()).isEqualTo(length);
            assertThat(bundle.temperature()).isNotEqualTo(1.0);
            assertThat(m1.getTrainExamples()).isEqualTo(640);
            // Past what a bag of both texts' words could reach (0.75): the model tells the second text from the first.
            assertThat(m1.getValidationMetrics().getAccuracy()).isGreaterThan(0.9);
            assertTellsTheSecondTextFromTheFirst(bundle);
        }
    }

    @Test
    void anUploadedGpt2IsTheBaseOfATextClassifierReadAtItsLastToken(@TempDir Path dir) throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        int vocab;
        try (Tokenizer e = Tokenizer.builtin("minilm-l6", 16)) {
            vocab = e.vocabSize();
        }
        byte[] zip = FolderArchive.zip(io.finetide.testing.Gpt2Folders.write(dir.resolve("gpt"), vocab, 32, 32, 2));
        // Whatever pooling is asked, a decoder is read at its last token.
        given().contentType("application/zip").body(zip).put("/api/v1/base-models/tiny-gpt?pooling=mean").then()
                .statusCode(201).body("architecture", equalTo("transformer-decoder")).body("pooling", equalTo(
                        "last"))
                .body("maxPositions", equalTo(32));
        try (Clients c = Clients.open(ctx)) {
            ArtifactStore store = c.store();
            TaskDefinitionEvent.Builder declared = TaskDefinitionEvent.newBuilder().setName("gp").addLabels("vehicle")
                    .addLabels("fruit").setModel(ModelSpec.newBuilder().setBaseModel("user/tiny-gpt").setMaxSeqLen(16))
                    .setHyperParameters(HyperParameters.newBuilder().setEpochs(6).setLearningRate(3e-3).setBatchSize(
                            16));
            TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(declared.build(),
                    BaseModelArtifacts.resolver(store)), 1L);
            assertThat(task.getModel().getArchitecture()).isEqualTo("transformer-decoder");
            // A decoder has no second segment and no token after each word: pair and tagging tasks are refused.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TaskDefinitions.validated(declared.clone()
                    .setType(io.finetide.proto.v1.TaskType.TEXT_PAIR_CLASSIFICATION).build(),
                    BaseModelArtifacts
                            .resolver(store)))
                    .hasMessageContaining(
                            "is a GPT-2 decoder: it trains TEXT_CLASSIFICATION and TEXT_GENERATION tasks only");
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "gp", task.toByteArray())).get();
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "gp", snapshot(store, "gp",
                    1, rows(300, 9, "g")).toByteArray())).get();
            ModelTrainedEvent m1 = awaitModel(c.trained(), c.progress(), "gp-m1");
            ModelBundle bundle = ModelBundle.fromBytes(store.require(m1.getArtifact()));
            assertThat(bundle.config().decoder()).isTrue();
            assertThat(bundle.config().pooling()).isEqualTo(Pooling.LAST);
            assertThat(bundle.config().head()).isEqualTo(Head.SEQUENCE);
            assertThat(m1.getValidationMetrics().getAccuracy()).isGreaterThan(0.9);
            try (io.finetide.model.infer.Classifier classifier = io.finetide.model.infer.Classifier.load(bundle, 1)) {
                assertThat(classifier.predict(List.of("my old mango today", "the red truck here"))).extracting(
                        io.finetide.model.infer.Classifier.Prediction::label).containsExactly("fruit", "vehicle");
            }
        }
    }

    @Test
    void anUploadedGpt2LearnsToWriteCompletions(@TempDir Path dir) throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        int vocab;
        try (Tokenizer e = Tokenizer.builtin("minilm-l6", 16)) {
            vocab = e.vocabSize();
        }
        byte[] zip = FolderArchive.zip(io.finetide.testing.Gpt2Folders.write(dir.resolve("gpt"), vocab, 32, 32, 2));
        given().contentType("application/zip").body(zip).put("/api/v1/base-models/tiny-writer").then().statusCode(
                201);
        try (Clients c = Clients.open(ctx)) {
            ArtifactStore store = c.store();
            TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                    .setName("wr").setType(io.finetide.proto.v1.TaskType.TEXT_GENERATION).setModel(ModelSpec
                            .newBuilder().setBaseModel("user/tiny-writer").setMaxSeqLen(16))
                    .setHyperParameters(HyperParameters.newBuilder().setEpochs(10).setLearningRate(1e-2).setBatchSize(
                            16))
                    .build(), BaseModelArtifacts.resolver(store)), 1L);
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "wr", task.toByteArray())).get();
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "wr", snapshot(store, "wr",
                    1, io.finetide.testing.CompletionRows.rows("w", 400, 3)).toByteArray())).get();
            ModelTrainedEvent m1 = awaitModel(c.trained(), c.progress(), "wr-m1");
            ModelBundle bundle = ModelBundle.fromBytes(store.require(m1.getArtifact()));
            assertThat(bundle.generates()).isTrue();
            assertThat(bundle.endOfText()).isEqualTo(102);
            assertThat(bundle.config().head()).isEqualTo(Head.LANGUAGE_MODEL);
            // Of a completion's two tokens (the colour and the end), both follow from the prompt's fruit.
            assertThat(m1.getValidationMetrics().getAccuracy()).isGreaterThan(0.9);
            try (io.finetide.model.infer.CompletionWriter writer = io.finetide.model.infer.CompletionWriter.load(
                    bundle, 1)) {
                for (String fruit : List.of("apple", "lime", "plum")) {
                    io.finetide.model.infer.CompletionWriter.Written w = writer.write("my fresh " + fruit
                            + " is coloured", io.finetide.model.generate.GenerationSettings.greedy(5), List.of());
                    assertThat(w.text()).isEqualTo(io.finetide.testing.CompletionRows.COLOUR.get(fruit));
                    assertThat(w.finish()).isEqualTo(io.finetide.model.generate.Finish.END_OF_TEXT);
                }
            }
        }
    }

    @Test
    void anUploadedT5LearnsToClassifyByWritingItsLabels(@TempDir Path dir) throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        byte[] zip = io.finetide.testing.T5Folders.zipped(dir);
        given().contentType("application/zip").body(zip).put("/api/v1/base-models/tiny-t5").then().statusCode(201)
                .body("architecture", equalTo("transformer-encoder-decoder")).body("maxPositions", equalTo(512));
        try (Clients c = Clients.open(ctx)) {
            ArtifactStore store = c.store();
            TaskDefinitionEvent.Builder declared = TaskDefinitionEvent.newBuilder().setName("tt").addLabels("vehicle")
                    .addLabels("fruit").setModel(ModelSpec.newBuilder().setBaseModel("user/tiny-t5").setMaxSeqLen(16))
                    // So small a random model learns nothing under dropout 0.1 (its decoder learns to write the
                    // labels' words, never which one), nor at 32 wide: 64 wide it does in two epochs.
                    .setHyperParameters(HyperParameters.newBuilder().setEpochs(6).setLearningRate(2e-2).setBatchSize(
                            16).setDropout(0));
            TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(declared.build(),
                    BaseModelArtifacts.resolver(store)), 1L);
            assertThat(task.getModel().getArchitecture()).isEqualTo("transformer-encoder-decoder");
            // Labels are written as words from one text: no second text, no tags, no head to weigh or train alone.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TaskDefinitions.validated(declared.clone()
                    .setType(io.finetide.proto.v1.TaskType.TOKEN_CLASSIFICATION).build(),
                    BaseModelArtifacts
                            .resolver(store)))
                    .hasMessageContaining("is a T5 encoder-decoder: it trains TEXT_CLASSIFICATION tasks text to text");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TaskDefinitions.validated(declared.clone()
                    .setHyperParameters(HyperParameters.newBuilder().setFineTuning(io.finetide.proto.v1.FineTuning
                            .newBuilder().setStrategy(io.finetide.proto.v1.FineTuningStrategy.HEAD_ONLY)))
                    .build(),
                    BaseModelArtifacts.resolver(store))).hasMessageContaining("a T5 base trains FULL or LORA");
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "tt", task.toByteArray())).get();
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "tt", snapshot(store, "tt",
                    1, rows(300, 9, "t")).toByteArray())).get();
            ModelTrainedEvent m1 = awaitModel(c.trained(), c.progress(), "tt-m1");
            ModelBundle bundle = ModelBundle.fromBytes(store.require(m1.getArtifact()));
            assertThat(bundle.writesLabels()).isTrue();
            assertThat(bundle.generates()).isFalse();
            assertThat(bundle.labels()).containsExactly("vehicle", "fruit");
            assertThat(bundle.endOfText()).isEqualTo(io.finetide.testing.T5Folders.END_OF_TEXT);
            assertThat(bundle.decoderStart()).isEqualTo(io.finetide.testing.T5Folders.DECODER_START);
            // Validation accuracy of the labels ranked by the likelihood of their words.
            assertThat(m1.getValidationMetrics().getAccuracy()).isGreaterThan(0.9);
            try (io.finetide.model.infer.Classifier classifier = io.finetide.model.infer.Classifier.load(bundle, 1)) {
                assertThat(classifier.predict(List.of("my old mango today", "the red truck here"))).extracting(
                        io.finetide.model.infer.Classifier.Prediction::label).containsExactly("fruit", "vehicle");
            }
        }
    }

    /**
     * A sequence-to-sequence task on an uploaded T5: inputs naming a fruit, targets its colour then the fruit. The
     * trained bundle writes targets (not labels) and, through the cached decoder, the right two words for new inputs.
     */
    @Test
    void anUploadedT5LearnsToWriteTargets(@TempDir Path dir) throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        byte[] zip = io.finetide.testing.T5Folders.zipped(dir);
        given().contentType("application/zip").body(zip).put("/api/v1/base-models/tiny-t5-writer").then().statusCode(
                201);
        try (Clients c = Clients.open(ctx)) {
            ArtifactStore store = c.store();
            TaskDefinitionEvent.Builder declared = TaskDefinitionEvent.newBuilder().setName("ss").setType(
                    io.finetide.proto.v1.TaskType.SEQ2SEQ).setModel(
                            ModelSpec.newBuilder().setBaseModel(
                                    "user/tiny-t5-writer").setMaxSeqLen(16))
                    // A random T5 first learns to end its targets, then their words: the token accuracy stays at a
                    // third (the end) for epochs while the loss falls, so the loss picks the epoch and stops early.
                    .setHyperParameters(HyperParameters.newBuilder().setEpochs(10).setLearningRate(1e-2).setBatchSize(
                            16).setDropout(0).setSelectionMetric(io.finetide.proto.v1.SelectionMetric.VALIDATION_LOSS));
            TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(declared.build(),
                    BaseModelArtifacts.resolver(store)), 1L);
            // A target is written by a T5: not by a GPT-2 or an encoder, and with no labels of its own.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TaskDefinitions.validated(declared.clone()
                    .addLabels("a").addLabels("b").build(), BaseModelArtifacts.resolver(store))).hasMessageContaining(
                            "a SEQ2SEQ task has none (each example's target is its own)");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TaskDefinitions.validated(declared.clone()
                    .setModel(ModelSpec.newBuilder().setBaseModel("minilm-l6")).build(),
                    BaseModelArtifacts.resolver(
                            store)))
                    .hasMessageContaining("a SEQ2SEQ task is written by an uploaded T5 base");
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "ss", task.toByteArray())).get();
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "ss", snapshot(store, "ss",
                    1, io.finetide.testing.CompletionRows.colourAndFruit("s", 800, 5)).toByteArray())).get();
            ModelTrainedEvent m1 = awaitModel(c.trained(), c.progress(), "ss-m1");
            ModelBundle bundle = ModelBundle.fromBytes(store.require(m1.getArtifact()));
            assertThat(bundle.generates()).isTrue();
            assertThat(bundle.writesLabels()).isFalse();
            assertThat(bundle.decoderStart()).isEqualTo(io.finetide.testing.T5Folders.DECODER_START);
            // Teacher-forced token accuracy of the targets (the colour, the fruit and the end).
            assertThat(m1.getValidationMetrics().getAccuracy()).isGreaterThan(0.9);
            try (io.finetide.model.infer.CompletionWriter writer = io.finetide.model.infer.CompletionWriter.load(
                    bundle, 1)) {
                for (String fruit : io.finetide.testing.CompletionRows.TARGET_FRUIT) {
                    io.finetide.model.infer.CompletionWriter.Written w = writer.write("a fresh " + fruit,
                            io.finetide.model.generate.GenerationSettings.greedy(6), List.of());
                    assertThat(w.text()).isEqualTo(io.finetide.testing.CompletionRows.COLOUR.get(fruit) + " " + fruit);
                    assertThat(w.finish()).isEqualTo(io.finetide.model.generate.Finish.END_OF_TEXT);
                }
            }
        }
    }

    static byte[] minilmTokenizer() {
        try (Tokenizer e = Tokenizer.builtin("minilm-l6", 16)) {
            return e.json();
        }
    }

    /** A BERT of MiniLM's vocabulary small enough to upload in a test. */
    static TransformerConfig tinyBert(int layers) {
        int vocab;
        try (Tokenizer e = Tokenizer.builtin("minilm-l6", 16)) {
            vocab = e.vocabSize();
        }
        return TransformerConfig.encoderBuilder().vocabSize(vocab).maxPositions(32).typeVocabSize(2).hiddenSize(16)
                .layers(layers).heads(2).intermediateSize(32).labels(2).pooling(Pooling.MEAN).dropout(0.1)
                .layerNormEps(1e-12).build();
    }

    @Test
    void ofUploadsRacingForOneNameExactlyOneStoresItsArchive(@TempDir Path dir) throws Exception {
        byte[] tokenizer = minilmTokenizer();
        TransformerConfig cfg = tinyBert(1);
        byte[][] zips = new byte[2][];
        for (int i = 0; i < 2; i++) {
            HuggingFaceFolder.write(dir.resolve("r" + i), cfg, Weights.initialise(cfg, 90 + i), tokenizer);
            zips[i] = FolderArchive.zip(dir.resolve("r" + i));
        }
        int uploads = 6;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(uploads);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(uploads);
        List<Integer> statuses = new ArrayList<>();
        try {
            List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                byte[] zip = zips[i % 2];
                answers.add(pool.submit(() -> {
                    start.await();
                    return given().contentType("application/zip").body(zip).put(
                            "/api/v1/base-models/race-bert?pooling=mean").statusCode();
                }));
            }
            for (var a : answers) {
                statuses.add(a.get());
            }
        } finally {
            pool.shutdownNow();
        }
        // One archive is stored, once; the same archive again is unchanged, the other one a conflict.
        assertThat(statuses).containsOnlyOnce(201);
        int winner = statuses.indexOf(201) % 2;
        for (int i = 0; i < uploads; i++) {
            assertThat(statuses.get(i)).as("upload %d", i).isEqualTo(i % 2 == winner
                    ? (statuses.get(i) == 201
                            ? 201
                            : 200)
                    : 409);
        }
        try (MongoClient mongo = MongoClients.create(FinetideTestResource.current().mongoUri())) {
            ArtifactStore store = new ArtifactStore(mongo.getDatabase(FinetideTestResource.current()
                    .artifactsDatabase()));
            assertThat(store.require(io.finetide.platform.store.BaseModelArtifacts.folder("race-bert"))).isEqualTo(
                    zips[winner]);
            assertThat(io.finetide.platform.store.BaseModelArtifacts.metadata(store, "race-bert")).hasValueSatisfying(
                    m -> assertThat(m.sha256()).isEqualTo(io.finetide.platform.events.Hashing.sha256Hex(zips[winner])));
        }
    }

    @Test
    void anUploadedHuggingFaceFolderIsABaseATaskCanName(@TempDir Path dir) throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        double conflictsBefore = PrometheusText.sum(given().get("/q/metrics").asString(),
                "finetide_training_base_models_uploads_total", "outcome", "conflict");
        byte[] tokenizer = minilmTokenizer();
        TransformerConfig cfg = tinyBert(2);
        Weights uploaded = Weights.initialise(cfg, 77);
        HuggingFaceFolder.write(dir.resolve("a"), cfg, uploaded, tokenizer);
        byte[] zip = FolderArchive.zip(dir.resolve("a"));
        given().contentType("application/zip").body(zip).put("/api/v1/base-models/tiny-bert?pooling=mean").then()
                .statusCode(201).body("layers", equalTo(2)).body("hiddenSize", equalTo(16));
        given().contentType("application/zip").body(zip).put("/api/v1/base-models/tiny-bert?pooling=mean").then()
                .statusCode(200);
        HuggingFaceFolder.write(dir.resolve("b"), cfg, Weights.initialise(cfg, 78), tokenizer);
        given().contentType("application/zip").body(FolderArchive.zip(dir.resolve("b"))).put(
                "/api/v1/base-models/tiny-bert?pooling=mean").then().statusCode(409);
        // A folder that lacks a tensor is refused with the tensor's name, and nothing is stored.
        Path safetensors = dir.resolve("b").resolve("model.safetensors");
        java.util.Map<String, Weights.Tensor> tensors = new java.util.LinkedHashMap<>(
                SafeTensors.read(safetensors));
        tensors.keySet().removeIf(n -> n.endsWith("encoder.layer.1.output.dense.weight"));
        SafeTensors.write(safetensors, tensors);
        given().contentType("application/zip").body(FolderArchive.zip(dir.resolve("b"))).put(
                "/api/v1/base-models/broken").then().statusCode(422).body("message", containsString(
                        "encoder.layer.1.output.dense.weight"));
        given().contentType("application/zip").body(zip).put("/api/v1/base-models/tiny-bert?pooling=max").then()
                .statusCode(422).body("message", containsString("pooling"));
        // Listed once complete; the refused one is not (another test of this class uploads race-bert).
        given().get("/api/v1/base-models").then().statusCode(200).body("name", org.hamcrest.Matchers.hasItem(
                "tiny-bert")).body("name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("broken")));

        try (Clients c = Clients.open(ctx)) {
            var p = c.producer();
            var trainedC = c.trained();
            var progressC = c.progress();
            ArtifactStore store = c.store();
            // As ingestion validates it: the uploaded base fixes the shape and the tokenizer.
            TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent
                    .newBuilder().setName("ub").addLabels("vehicle").addLabels("fruit").setModel(ModelSpec
                            .newBuilder().setBaseModel("user/tiny-bert").setMaxSeqLen(16))
                    .setHyperParameters(HyperParameters.newBuilder().setEpochs(2).setLearningRate(1e-2).setBatchSize(
                            16).setFineTuning(
                                    io.finetide.proto.v1.FineTuning.newBuilder().setStrategy(
                                            io.finetide.proto.v1.FineTuningStrategy.HEAD_ONLY)))
                    .build(), BaseModelArtifacts.resolver(store)), 1L);
            assertThat(task.getModel().getTokenizer()).isEqualTo("user/tiny-bert");
            assertThat(task.getModel().getLayers()).isEqualTo(2);
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "ub", task.toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "ub", snapshot(store, "ub", 1, rows(
                    200, 5, "u")).toByteArray())).get();
            ModelTrainedEvent m1 = awaitModel(trainedC, progressC, "ub-m1");
            ModelBundle bundle = ModelBundle.fromBytes(store.require(m1.getArtifact()));
            assertThat(bundle.metadata()).containsEntry("baseModel", "user/tiny-bert");
            assertThat(bundle.tokenizerName()).isEqualTo("user/tiny-bert");
            assertThat(bundle.tokenizerJson()).isEqualTo(tokenizer);
            assertThat(bundle.config().pooling()).isEqualTo(Pooling.MEAN);
            assertThat(bundle.config().hiddenSize()).isEqualTo(16);
            // Head-only from the uploaded weights: the encoder is the upload, bit for bit.
            for (String name : uploaded.tensors().keySet()) {
                if (name.startsWith("classifier")) {
                    assertThat(bundle.weights().get(name).values()).as(name).isNotEqualTo(uploaded.get(name)
                            .values());
                } else {
                    assertThat(bundle.weights().get(name).values()).as(name).isEqualTo(uploaded.get(name).values());
                }
            }
        }
        assertThat(PrometheusText.sum(given().get("/q/metrics").asString(),
                "finetide_training_base_models_uploads_total", "outcome", "conflict")).isEqualTo(conflictsBefore + 1);
    }

    /**
     * A 2-layer champion is distilled into a 1-layer student on the task's latest snapshot, announced with its teacher
     * and judged like any candidate; the request replayed trains nothing again (seen after a later request's student);
     * a task without a champion, too many layers, a misspelt setting and an unknown task are refused with reasons.
     */
    @Test
    void aChampionIsDistilledIntoAStudentOfFewerLayersOnceHoweverOftenAsked() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName("ds").addLabels("vehicle").addLabels("fruit")
                .setModel(ModelSpec.newBuilder().setBaseModel("random").setLayers(2).setHiddenSize(32).setHeads(2)
                        .setFfnSize(64).setMaxSeqLen(16))
                .setHyperParameters(HyperParameters.newBuilder().setEpochs(3).setLearningRate(3e-3).setBatchSize(16))
                .build()), 1L);
        try (Clients c = Clients.open(ctx);
                KafkaConsumer<String, byte[]> requests = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.DISTILLATIONS_REQUESTED))) {
            var p = c.producer();
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "ds", task.toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "ds", snapshot(c.store(), "ds", 1, rows(
                    300, 1, "d")).toByteArray())).get();
            ModelTrainedEvent teacher = awaitModel(c.trained(), c.progress(), "ds-m1");
            given().contentType("application/json").body("{}").post("/api/v1/tasks/ds/distillations").then()
                    .statusCode(409).body("reason", equalTo("NO_TEACHER"));
            double known = PrometheusText.sum(given().get("/q/metrics").asString(),
                    "finetide_training_champions_known");
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "ds", ModelPromotedEvent.newBuilder()
                    .setMeta(Events.meta("ds")).setModelId("ds-m1").setArtifact(teacher.getArtifact()).build()
                    .toByteArray())).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusText.sum(given().get("/q/metrics")
                    .asString(), "finetide_training_champions_known") == known + 1);
            given().contentType("application/json").body("{\"studentLayers\": 2}").post(
                    "/api/v1/tasks/ds/distillations").then().statusCode(422).body("reason", equalTo(
                            "INVALID_DISTILLATION"))
                    .body("message", containsString("studentLayers must be in [1, 1]"));
            given().contentType("application/json").body("{\"studentLayer\": 1}").post(
                    "/api/v1/tasks/ds/distillations").then().statusCode(400).body("reason", equalTo(
                            "MALFORMED_PAYLOAD"));
            given().contentType("application/json").body("{}").post("/api/v1/tasks/no-such-task/distillations")
                    .then().statusCode(404);

            // Unlabelled examples for the student besides the labelled ones: 120 new, 10 of them announced twice, 5
            // whose ids the snapshot holds (left out), then 10 of the new deleted.
            List<io.finetide.proto.v1.UnlabelledExampleEvent> unlabelled = new ArrayList<>();
            rows(120, 9, "u").forEach(r -> unlabelled.add(io.finetide.proto.v1.UnlabelledExampleEvent.newBuilder()
                    .setMeta(Events.meta("ds")).setId(r.id()).setText(r.text()).build()));
            unlabelled.addAll(unlabelled.subList(20, 30));
            rows(5, 9, "d").forEach(r -> unlabelled.add(io.finetide.proto.v1.UnlabelledExampleEvent.newBuilder()
                    .setMeta(Events.meta("ds")).setId(r.id()).setText(r.text()).build()));
            for (var u : unlabelled) {
                p.send(new ProducerRecord<>(ctx.topic(Topics.EXAMPLES_UNLABELLED), "ds", u.toByteArray()));
            }
            p.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> PrometheusText.sum(given().get("/q/metrics")
                    .asString(), "finetide_training_unlabelled_texts_total", "task", "ds", "change", "kept") == 125);
            p.send(new ProducerRecord<>(ctx.topic(Topics.EXAMPLES_DELETED), "ds",
                    io.finetide.proto.v1.ExamplesDeletedEvent
                            .newBuilder().setMeta(Events.meta("ds")).addAllIds(java.util.stream.IntStream.range(0, 10)
                                    .mapToObj(i -> "u" + i).toList())
                            .setReason("a subject's request").build().toByteArray()))
                    .get();
            await().atMost(Duration.ofSeconds(60)).until(() -> PrometheusText.sum(given().get("/q/metrics")
                    .asString(), "finetide_training_unlabelled_texts_total", "task", "ds", "change",
                    "forgotten") == 10);

            given().contentType("application/json").body("{\"budget\": {\"maxBundleRatio\": 1.5}}").post(
                    "/api/v1/tasks/ds/distillations").then().statusCode(422).body("message", containsString(
                            "a budget's ratios are in (0, 1]"));

            String first = given().contentType("application/json").body(
                    "{\"studentLayers\": 1, \"budget\": {\"maxLatencyRatio\": 0.9}}").post(
                            "/api/v1/tasks/ds/distillations")
                    .then().statusCode(202).body("teacher", equalTo("ds-m1")).body(
                            "snapshotId", equalTo("ds-v1"))
                    .body("temperature", equalTo(2.0f)).extract().path("requestId");
            ModelTrainedEvent student = awaitModel(c.trained(), c.progress(), "ds-m1-d1");
            assertThat(student.getParentModelId()).isEqualTo("ds-m1");
            assertThat(student.getSnapshotId()).isEqualTo("ds-v1");
            assertThat(student.getDistillation().getRequestId()).isEqualTo(first);
            assertThat(student.getDistillation().getTeacherLayers()).isEqualTo(2);
            assertThat(student.getDistillation().getStudentLayers()).isEqualTo(1);
            assertThat(student.getDistillation().getLayersFromTeacherList()).containsExactly(0);
            assertThat(student.getDistillation().getHardWeight()).isEqualTo(0.5);
            assertThat(student.getDistillation().getBudget().getMaxLatencyRatio()).isEqualTo(0.9);
            assertThat(student.getDistillation().getUnlabelledExamples()).isEqualTo(110);
            assertThat(student.getModel().getLayers()).isEqualTo(1);
            assertThat(student.getValidationMetrics().getAccuracy()).isGreaterThan(0.8);
            ModelBundle bundle = ModelBundle.fromBytes(c.store().require(student.getArtifact()));
            assertThat(bundle.config().layers()).isEqualTo(1);
            assertThat(bundle.labels()).containsExactly("vehicle", "fruit");
            assertThat(bundle.metadata()).containsEntry("teacherModelId", "ds-m1");

            // The request again, as a redelivery would bring it, then a later one: the first trains nothing again.
            java.util.concurrent.atomic.AtomicReference<byte[]> asked = new java.util.concurrent.atomic.AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(requests, Duration.ofMillis(200))) {
                    if (io.finetide.proto.v1.DistillationRequestedEvent.parseFrom(r.value()).getRequestId().equals(
                            first)) {
                        asked.set(r.value());
                    }
                }
                return asked.get() != null;
            });
            p.send(new ProducerRecord<>(ctx.topic(Topics.DISTILLATIONS_REQUESTED), "ds", asked.get())).get();
            given().contentType("application/json").body("{\"studentLayers\": 1, \"temperature\": 4}").post(
                    "/api/v1/tasks/ds/distillations").then().statusCode(202);
            List<ModelTrainedEvent> trained = new ArrayList<>();
            await().atMost(Duration.ofMinutes(3)).until(() -> {
                collect("ds", c.trained(), c.progress(), trained, new ArrayList<>());
                return trained.stream().anyMatch(m -> m.getModelId().equals("ds-m1-d2"));
            });
            assertThat(trained).filteredOn(m -> m.getDistillation().getRequestId().equals(first)).isEmpty();
            assertThat(trained).extracting(ModelTrainedEvent::getModelId).containsExactly("ds-m1-d2");
            assertThat(PrometheusText.sum(given().get("/q/metrics").asString(), "finetide_training_distillations_total",
                    "task", "ds", "state", "skipped")).isEqualTo(1.0);
            given().get("/api/v1/tasks/ds/distillations").then().statusCode(200).body("state", contains("COMPLETED",
                    "COMPLETED")).body("modelId", contains("ds-m1-d1", "ds-m1-d2"));
            given().get("/api/v1/tasks/ds/distillations/" + first).then().statusCode(200).body("requestedBy",
                    equalTo("anyone"));
            // A request naming another task's model as teacher (only a crafted record can) is refused, not run.
            p.send(new ProducerRecord<>(ctx.topic(Topics.DISTILLATIONS_REQUESTED), "ds",
                    io.finetide.proto.v1.DistillationRequestedEvent.parseFrom(asked.get()).toBuilder().setRequestId(
                            "crafted").setTeacherArtifact("models/tr/tr-m1.zip").build().toByteArray()))
                    .get();
            await().atMost(Duration.ofSeconds(60)).until(() -> PrometheusText.sum(given().get("/q/metrics")
                    .asString(), "finetide_training_distillations_rejected_total", "reason",
                    "invalid-distillation") == 1.0);
            given().get("/api/v1/tasks/ds/distillations/crafted").then().statusCode(404);
        }
    }

    /**
     * A pair classifier's champion is distilled as a single-text one is: the student of one of its two layers reads
     * pairs (its bundle says so), learns the training pairs' labels and the teacher's soft labels for them, and tells
     * the second text from the first as its teacher does.
     */
    @Test
    void aPairClassifiersChampionIsDistilledIntoAStudentThatReadsPairs() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = pairTask("dpair");
        try (Clients c = Clients.open(ctx)) {
            var p = c.producer();
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "dpair", task.toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "dpair", snapshot(c.store(), "dpair", 1,
                    pairRows(800, 7, "q")).toByteArray())).get();
            promote(c, ctx, awaitModel(c.trained(), c.progress(), "dpair-m1"));
            given().contentType("application/json").body("{\"studentLayers\": 1}").post(
                    "/api/v1/tasks/dpair/distillations").then().statusCode(202).body("teacher", equalTo("dpair-m1"));
            ModelTrainedEvent student = awaitModel(c.trained(), c.progress(), "dpair-m1-d1");
            assertThat(student.getDistillation().getStudentLayers()).isEqualTo(1);
            assertThat(student.getDistillation().getUnlabelledExamples()).isZero();
            assertThat(student.getTrainExamples()).isEqualTo(640);
            ModelBundle bundle = ModelBundle.fromBytes(c.store().require(student.getArtifact()));
            assertThat(bundle.textPairs()).isTrue();
            assertThat(bundle.config().layers()).isEqualTo(1);
            assertThat(student.getValidationMetrics().getAccuracy()).isGreaterThan(0.9);
            assertTellsTheSecondTextFromTheFirst(bundle);
        }
    }

    /** The model promoted, once the service knows it as its task's champion. */
    private static void promote(Clients c, FinetideTestResource.Context ctx, ModelTrainedEvent model)
            throws Exception {
        String task = model.getMeta().getTask();
        double known = PrometheusText.sum(given().get("/q/metrics").asString(), "finetide_training_champions_known");
        c.producer().send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), task, ModelPromotedEvent
                .newBuilder().setMeta(Events.meta(task)).setModelId(model.getModelId()).setArtifact(model
                        .getArtifact())
                .build().toByteArray())).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusText.sum(given().get("/q/metrics").asString(),
                "finetide_training_champions_known") == known + 1);
    }

    /**
     * A tagger's champion of two layers is distilled into a student of one that tags words: it learns the training
     * sentences' tags and the teacher's distribution for each word, and is chosen by entity F1.
     */
    @Test
    void aTaggersChampionIsDistilledIntoAStudentThatTagsWords() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = taggingTask("dtag", 2);
        try (Clients c = Clients.open(ctx)) {
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "dtag", task.toByteArray())).get();
            c.producer().send(new ProducerRecord<>(ctx.topic(Topics.DATASETS_SNAPSHOTS), "dtag", snapshot(c.store(),
                    "dtag", 1, io.finetide.testing.TaggedRows.rows("t", 300, 5)).toByteArray())).get();
            promote(c, ctx, awaitModel(c.trained(), c.progress(), "dtag-m1"));
            given().contentType("application/json").body("{\"studentLayers\": 1}").post(
                    "/api/v1/tasks/dtag/distillations").then().statusCode(202).body("teacher", equalTo("dtag-m1"));
            ModelTrainedEvent student = awaitModel(c.trained(), c.progress(), "dtag-m1-d1");
            assertThat(student.getDistillation().getStudentLayers()).isEqualTo(1);
            assertThat(student.getTrainExamples()).isEqualTo(240);
            ModelBundle bundle = ModelBundle.fromBytes(c.store().require(student.getArtifact()));
            assertThat(bundle.config().head()).isEqualTo(Head.TOKEN);
            assertThat(bundle.config().layers()).isEqualTo(1);
            assertThat(bundle.labels()).containsExactly("O", "B-fruit", "I-fruit", "B-vehicle", "I-vehicle");
            // Entity F1 on the validation sentences.
            assertThat(student.getValidationMetrics().getAccuracy()).isGreaterThan(0.8);
            try (io.finetide.model.infer.Tagger tagger = io.finetide.model.infer.Tagger.load(bundle, 1)) {
                assertThat(tagger.tag(List.of(List.of("my", "sweet", "mango", "and", "the", "bus"))).get(0).tags())
                        .containsExactly("O", "B-fruit", "I-fruit", "O", "O", "B-vehicle");
            }
        }
    }

    /** A tagging task of fruits and vehicles ({@code TaggedRows}) on a random encoder of {@code layers}. */
    private static TaskDefinitionEvent taggingTask(String name, int layers) {
        return TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder().setName(name).setType(
                io.finetide.proto.v1.TaskType.TOKEN_CLASSIFICATION).addAllLabels(io.finetide.testing.TaggedRows.TYPES)
                .setModel(ModelSpec.newBuilder().setBaseModel("random").setLayers(layers).setHiddenSize(32).setHeads(2)
                        .setFfnSize(64).setMaxSeqLen(16))
                .setHyperParameters(HyperParameters.newBuilder().setEpochs(6).setLearningRate(1e-2).setBatchSize(16))
                .build()), 1L);
    }

    /** A pair task whose label is the kind of thing the second text names (a 2-layer random encoder learns it). */
    private static TaskDefinitionEvent pairTask(String name) {
        return TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName(name).setType(io.finetide.proto.v1.TaskType.TEXT_PAIR_CLASSIFICATION).addLabels("vehicle")
                .addLabels("fruit")
                .setModel(ModelSpec.newBuilder().setBaseModel("random").setLayers(2).setHiddenSize(64).setHeads(4)
                        .setFfnSize(128).setMaxSeqLen(16))
                .setHyperParameters(HyperParameters.newBuilder().setEpochs(10).setLearningRate(3e-3).setBatchSize(16))
                .build()), 1L);
    }

    private static void assertTellsTheSecondTextFromTheFirst(ModelBundle bundle) {
        try (io.finetide.model.infer.Classifier classifier = io.finetide.model.infer.Classifier.load(bundle, 1)) {
            assertThat(classifier.predictPairs(List.of("my apple", "my apple", "the car", "the car"), List.of(
                    "a mango", "a boat", "a truck", "a lemon"))).extracting(
                            io.finetide.model.infer.Classifier.Prediction::label)
                    .containsExactly("fruit", "vehicle", "vehicle", "fruit");
        }
    }

    /** The store, a producer, and consumers of the trained and progress topics from their start. */
    private record Clients(MongoClient mongo, KafkaProducer<String, byte[]> producer,
            KafkaConsumer<String, byte[]> trained, KafkaConsumer<String, byte[]> progress, ArtifactStore store)
            implements
                AutoCloseable {
        static Clients open(FinetideTestResource.Context ctx) {
            MongoClient mongo = MongoClients.create(ctx.mongoUri());
            return new Clients(mongo, TestKafka.producer(ctx.bootstrap()), TestKafka.consumerFromStart(ctx
                    .bootstrap(), ctx.topic(Topics.MODELS_TRAINED)), TestKafka.consumerFromStart(ctx.bootstrap(),
                            ctx
                                    .topic(Topics.TRAINING_PROGRESS)),
                    new ArtifactStore(mongo.getDatabase(ctx
                            .artifactsDatabase())));
        }

        @Override
        public void close() {
            progress.close();
            trained.close();
            producer.close();
            mongo.close();
        }
    }

    /** The trained event of {@code modelId}, once it is there. */
    private static ModelTrainedEvent awaitModel(KafkaConsumer<String, byte[]> trainedC,
            KafkaConsumer<String, byte[]> progressC, String modelId) {
        List<ModelTrainedEvent> trained = new ArrayList<>();
        List<TrainingProgressEvent> progress = new ArrayList<>();
        await().atMost(Duration.ofMinutes(3)).until(() -> {
            collect(trainedC, progressC, trained, progress);
            return trained.stream().anyMatch(m -> m.getModelId().equals(modelId));
        });
        return trained.stream().filter(m -> m.getModelId().equals(modelId)).findFirst().orElseThrow();
    }

    /** As below, keeping only the events of {@code task}: the tests of this class share the topics. */
    private static void collect(String task, KafkaConsumer<String, byte[]> trainedC,
            KafkaConsumer<String, byte[]> progressC, List<ModelTrainedEvent> trained,
            List<TrainingProgressEvent> progress) throws Exception {
        List<ModelTrainedEvent> t = new ArrayList<>();
        List<TrainingProgressEvent> p = new ArrayList<>();
        collect(trainedC, progressC, t, p);
        t.stream().filter(e -> e.getMeta().getTask().equals(task)).forEach(trained::add);
        p.stream().filter(e -> e.getMeta().getTask().equals(task)).forEach(progress::add);
    }

    private static void collect(KafkaConsumer<String, byte[]> trainedC, KafkaConsumer<String, byte[]> progressC,
            List<ModelTrainedEvent> trained, List<TrainingProgressEvent> progress) throws Exception {
        for (ConsumerRecord<String, byte[]> r : TestKafka.poll(trainedC, Duration.ofMillis(200))) {
            trained.add(ModelTrainedEvent.parseFrom(r.value()));
        }
        for (ConsumerRecord<String, byte[]> r : TestKafka.poll(progressC, Duration.ofMillis(200))) {
            progress.add(TrainingProgressEvent.parseFrom(r.value()));
        }
    }

    private static DatasetSnapshotEvent snapshot(ArtifactStore store, int version, List<SnapshotFile.Row> rows) {
        return snapshot(store, "tr", version, rows);
    }

    private static DatasetSnapshotEvent snapshot(ArtifactStore store, String task, int version,
            List<SnapshotFile.Row> rows) {
        String id = task + "-v" + version;
        String artifact = "datasets/" + task + "/" + id + ".jsonl.gz";
        store.putOnce(artifact, SnapshotFile.write(rows), new Document());
        return DatasetSnapshotEvent.newBuilder().setMeta(Events.meta(task)).setSnapshotId(id).setVersion(version)
                .setArtifact(artifact).build();
    }
}
