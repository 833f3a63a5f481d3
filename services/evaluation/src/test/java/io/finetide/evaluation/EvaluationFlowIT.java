package io.finetide.evaluation;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

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

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.tasks.TaskRevisions;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.ClassMetrics;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.GateReport;
import io.finetide.proto.v1.GateRule;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.PerturbationResult;
import io.finetide.proto.v1.PromotionPolicy;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class EvaluationFlowIT {

    static final List<String> LABELS = List.of("vehicle", "fruit");

    static List<SnapshotFile.Row> rows(int n) {
        String[] fruit = {"apple", "banana", "cherry", "grape"};
        String[] vehicle = {"car", "truck", "bus", "boat"};
        Random r = new Random(5);
        List<SnapshotFile.Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean f = r.nextBoolean();
            out.add(new SnapshotFile.Row("r" + i,
                    "my " + (f ? fruit[r.nextInt(4)] : vehicle[r.nextInt(4)]) + " is here",
                    f ? "fruit" : "vehicle", i % 3 == 0 ? "TEST" : "TRAIN",
                    i % 3 == 0 && i < 90 ? SnapshotFile.GOLDEN : ""));
        }
        return out;
    }

    @Test
    void blessesAGoodFirstModelReplaysItsVerdictAndKeepsTheChampionAgainstAWorseOne() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = task("ev");
        List<SnapshotFile.Row> rows = rows(240);
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(),
                        ctx.topic(Topics.MODELS_EVALUATED))) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            store.putOnce("datasets/ev/ev-v1.jsonl.gz", SnapshotFile.write(rows), new Document());
            TransformerConfig cfg = tinyEncoder(tokenizer);
            Weights random = Weights.initialise(cfg, 3);
            putModel(store, "ev-m1", cfg, trainedWell(cfg, random, 1, tokenizer, rows), tokenizer);
            putModel(store, "ev-m2", cfg, random, tokenizer);

            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "ev", task.toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "ev", trained("ev-m1").toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "ev", trained("ev-m1").toByteArray())).get();
            List<ModelEvaluatedEvent> verdicts = new ArrayList<>();
            await().atMost(Duration.ofMinutes(2)).until(() -> collect("ev", c, verdicts) >= 2);
            ModelEvaluatedEvent first = verdicts.get(0);
            assertThat(first.getBlessed()).isTrue();
            assertThat(first.getChampionModelId()).isEmpty();
            assertThat(first.getCandidate().getAccuracy()).isGreaterThan(0.9);
            // Judged on the task's golden test set (30 of the 80 test examples) only.
            assertThat(first.getCandidate().getExamples()).isEqualTo(30);
            assertThat(first.getDecisionReason()).endsWith("(golden test set, 30 examples)");
            assertThat(first.getCandidate().getConfusionMatrixCount()).isEqualTo(4);
            assertThat(first.getTrained().getModelId()).isEqualTo("ev-m1");
            assertThat(verdicts.get(1)).isEqualTo(first);
            GateReport report = first.getReport();
            assertThat(report.getDecidingRule()).isEqualTo(GateRule.FIRST_CHAMPION);
            assertThat(report.getPolicy()).isEqualTo(PromotionPolicy.PLAIN_MARGIN);
            assertThat(report.getTriggeredBy()).isEqualTo("model-trained event of ev-m1 (snapshot ev-v1, trained "
                    + "from the base)");
            // The bundle has no temperature: the calibrated figures are the uncalibrated ones.
            assertThat(report.getCandidateCalibration().getTemperature()).isEqualTo(1.0);
            assertThat(report.getCandidateCalibration().getEce()).isEqualTo(report.getCandidateCalibration()
                    .getEceUncalibrated());
            assertThat(report.getCandidateCalibration().getBinCountList().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(30);
            // Every classification perturbation; the texts hold no placeholder and no number to change.
            assertThat(report.getRobustnessList()).extracting(PerturbationResult::getPerturbation).containsExactly(
                    "typo", "casing", "punctuation", "placeholder", "number");
            assertThat(report.getRobustness(0).getExamples()).isEqualTo(30);
            assertThat(report.getRobustness(3).getExamples()).isZero();
            // Its size as stored and built, and its speed: the evaluation's batches and 21 single-example calls.
            io.finetide.proto.v1.ServingCost cost = report.getCandidateCost();
            assertThat(cost.getParameters()).isEqualTo(cfg.parameterCount());
            assertThat(cost.getBundleBytes()).isEqualTo(store.require("models/ev/ev-m1.zip").length);
            assertThat(cost.getProbes()).isEqualTo(21);
            assertThat(cost.getLatencyMsP50()).isPositive().isLessThanOrEqualTo(cost.getLatencyMsP95());
            assertThat(cost.getBatchMsPerExample()).isPositive();
            assertThat(report.hasChampionCost()).isFalse();

            ModelPromotedEvent champion = ModelPromotedEvent.newBuilder().setMeta(Events.meta("ev"))
                    .setModelId("ev-m1").setArtifact("models/ev/ev-m1.zip").build();
            double known = championsKnown();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "ev", champion.toByteArray())).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> championsKnown() == known + 1);
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "ev", trained("ev-m2").toByteArray())).get();
            await().atMost(Duration.ofMinutes(2)).until(() -> collect("ev", c, verdicts) >= 3);
            ModelEvaluatedEvent second = verdicts.get(2);
            assertThat(second.getModelId()).isEqualTo("ev-m2");
            assertThat(second.getChampionModelId()).isEqualTo("ev-m1");
            assertThat(second.getBlessed()).isFalse();
            assertThat(second.getCandidate().getMacroF1()).isLessThan(second.getChampion().getMacroF1());
            assertThat(second.getDecisionReason()).contains("keep champion");
            // A random model against a trained one: the paired test sees the difference.
            assertThat(second.getReport().getSignificance().getMcnemarPValue()).isLessThan(0.01);
            assertThat(second.getReport().getSignificance().getUpper()).isLessThan(0);
            assertThat(second.getReport().getDecidingRule()).isEqualTo(GateRule.POLICY);
            // Measured beside the candidate: the champion's size is its own bundle's.
            assertThat(second.getReport().getChampionCost().getBundleBytes()).isEqualTo(store.require(
                    "models/ev/ev-m1.zip").length);
            assertThat(second.getReport().getChampionCost().getProbes()).isEqualTo(21);
        }
        // The audit trail: every verdict with its report, oldest first; one by model id.
        given().get("/api/v1/tasks/ev/evaluations").then().statusCode(200).body("modelId", contains("ev-m1",
                "ev-m2")).body("[1].report.decidingRule", equalTo("POLICY")).body("[1].report.rules.rule", hasItems(
                        "TEST_EXAMPLES", "POLICY", "CLASS_REGRESSION"));
        given().get("/api/v1/tasks/ev/evaluations/ev-m2").then().statusCode(200).body("blessed", equalTo(false));
        given().get("/api/v1/tasks/ev/evaluations/nope").then().statusCode(404).body("reason", equalTo(
                "UNKNOWN_MODEL"));
    }

    @Test
    void aCandidateBetterOnAverageButWorseOnOneBranchIsRefusedForThatSlice() throws Exception {
        // 300 test rows: 150 golden, 150 recent; a tenth of every set is from the north branch.
        List<SnapshotFile.Row> rows = TinyClassifiers.branchRows("es", 900, 10, 150, 11);
        try (GateFixture f = GateFixture.open("es", EvaluationSpec.newBuilder().addSliceKeys("branch")
                .setSliceMinExamples(10).build(), rows)) {
            // The champion was taught that bananas and cherries are vehicles (about a fifth of all examples); the
            // candidate that the north branch's fruits are vehicles and its vehicles fruits (a tenth).
            f.model("es-m1", r -> r.text().contains("banana") || r.text().contains("cherry") ? "vehicle" : r.label(),
                    1);
            f.model("es-m2", r -> r.metadata().get("branch").equals("north") ? flip(r.label()) : r.label(), 1);
            f.champion("es-m1");
            f.trained("es-m2");
            ModelEvaluatedEvent verdict = f.verdict("es-m2");

            assertThat(verdict.getCandidate().getMacroF1()).isGreaterThan(verdict.getChampion().getMacroF1() + 0.05);
            assertThat(verdict.getBlessed()).isFalse();
            assertThat(verdict.getReport().getDecidingRule()).isEqualTo(GateRule.SLICE_REGRESSION);
            assertThat(verdict.getDecisionReason()).startsWith("keep champion: slice branch=north (30 examples)");
            assertThat(verdict.getReport().getSlicesList()).extracting(s -> s.getKey() + "=" + s.getValue() + ":" + s
                    .getExamples()).containsExactly("branch=north:30", "branch=south:270", "subset=recent:150");
        }
    }

    @Test
    void aCandidateWithinNonInferiorityOnFresherDataIsPromoted() throws Exception {
        List<SnapshotFile.Row> rows = TinyClassifiers.branchRows("en", 600, 10, 100, 12);
        // Robustness is not what this test is about: two small models may flip typos at different rates.
        try (GateFixture f = GateFixture.open("en", EvaluationSpec.newBuilder().setPolicy(
                PromotionPolicy.NON_INFERIORITY).setNonInferiorityMargin(0.05).setRobustnessTolerance(1).build(),
                rows)) {
            // The champion learnt from the older half of the data, the candidate from all of it.
            f.model("en-m1", rows.subList(0, 300), SnapshotFile.Row::label, 1);
            f.model("en-m2", SnapshotFile.Row::label, 2);
            f.champion("en-m1");
            f.trained("en-m2");
            ModelEvaluatedEvent verdict = f.verdict("en-m2");

            assertThat(verdict.getBlessed()).isTrue();
            assertThat(verdict.getReport().getDecidingRule()).isEqualTo(GateRule.POLICY);
            assertThat(verdict.getDecisionReason()).startsWith("promote: NON_INFERIORITY, non-inferior");
            assertThat(verdict.getReport().getSignificance().getLower()).isGreaterThan(-0.05);
            assertThat(verdict.getReport().getSignificance().getResamples()).isEqualTo(1000);
        }
    }

    @Test
    void aCandidateTrainedOnShuffledLabelsIsNeverPromoted() throws Exception {
        List<SnapshotFile.Row> rows = TinyClassifiers.branchRows("sl", 450, 10, 100, 13);
        int seeds = 20;
        // The most lenient statistical policy: promote unless the candidate may be worse by more than 0.05.
        try (GateFixture f = GateFixture.open("sl", EvaluationSpec.newBuilder().setPolicy(
                PromotionPolicy.NON_INFERIORITY).setNonInferiorityMargin(0.05).build(), rows)) {
            f.model("sl-champion", SnapshotFile.Row::label, 1);
            f.champion("sl-champion");
            List<String> labels = rows.stream().map(SnapshotFile.Row::label).toList();
            for (int seed = 0; seed < seeds; seed++) {
                List<String> shuffled = new ArrayList<>(labels);
                java.util.Collections.shuffle(shuffled, new Random(seed));
                Map<String, String> taught = new java.util.HashMap<>();
                for (int i = 0; i < rows.size(); i++) {
                    taught.put(rows.get(i).id(), shuffled.get(i));
                }
                f.model("sl-s" + seed, r -> taught.get(r.id()), 100 + seed);
            }
            for (int seed = 0; seed < seeds; seed++) {
                f.trained("sl-s" + seed);
            }
            await().atMost(Duration.ofMinutes(5)).until(() -> f.verdicts().size() >= seeds);
            assertThat(f.verdicts()).hasSize(seeds).noneMatch(ModelEvaluatedEvent::getBlessed);
            assertThat(f.verdicts()).allMatch(v -> v.getReport().getDecidingRule() == GateRule.POLICY);
        }
    }

    /**
     * A distilled student carries its serving budget to the gate: one whose bundle is as large as its champion's, with
     * a budget of half, is kept out by that rule, with the ratio measured in the verdict.
     */
    @Test
    void aStudentOverItsServingBudgetIsKeptOutByThatRule() throws Exception {
        List<SnapshotFile.Row> rows = TinyClassifiers.branchRows("sb", 450, 10, 100, 13);
        try (GateFixture f = GateFixture.open("sb", EvaluationSpec.newBuilder().setPolicy(
                PromotionPolicy.NON_INFERIORITY).setNonInferiorityMargin(0.2).build(), rows)) {
            f.model("sb-m1", SnapshotFile.Row::label, 1);
            f.champion("sb-m1");
            f.model("sb-m1-d1", SnapshotFile.Row::label, 2);
            f.trained(io.finetide.proto.v1.ModelTrainedEvent.newBuilder().setModelId("sb-m1-d1").setDistillation(
                    io.finetide.proto.v1.Distillation.newBuilder().setTeacherModelId("sb-m1").setBudget(
                            io.finetide.proto.v1.ServingBudget.newBuilder().setMaxBundleRatio(0.5))));
            ModelEvaluatedEvent verdict = f.verdict("sb-m1-d1");
            assertThat(verdict.getBlessed()).isFalse();
            assertThat(verdict.getReport().getDecidingRule()).isEqualTo(GateRule.SERVING_BUDGET);
            assertThat(verdict.getDecisionReason()).contains("budget: latency any, bundle 0.50x of the champion's");
        }
    }

    static String flip(String label) {
        return label.equals("fruit") ? "vehicle" : "fruit";
    }

    @Test
    void aTaggerIsJudgedByEntityF1() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName("et").setType(io.finetide.proto.v1.TaskType.TOKEN_CLASSIFICATION).addAllLabels(
                        io.finetide.testing.TaggedRows.TYPES)
                .build()), 1L);
        List<String> tags = List.of("O", "B-fruit", "I-fruit", "B-vehicle", "I-vehicle");
        List<SnapshotFile.Row> rows = io.finetide.testing.TaggedRows.rows("t", 400, 8);
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(),
                        ctx.topic(Topics.MODELS_EVALUATED))) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            store.putOnce("datasets/et/et-v1.jsonl.gz", SnapshotFile.write(rows), new Document());
            TransformerConfig cfg = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(16)
                    .typeVocabSize(2).hiddenSize(32).layers(1).heads(2).intermediateSize(64).labels(tags.size())
                    .head(Head.TOKEN).dropout(0).layerNormEps(1e-12).build();
            List<io.finetide.model.train.TaggedWords> train = rows.stream().filter(r -> r.split().equals("TRAIN"))
                    .map(r -> new io.finetide.model.train.TaggedWords(r.tokens(), r.tags().stream().mapToInt(
                            tags::indexOf).toArray()))
                    .toList();
            Weights random = Weights.initialise(cfg, 4);
            Trainer.Result good = Trainer.trainTokens(cfg, random, tokenizer, train, train, tags,
                    TrainingConfig.builder().learningRate(1e-2).batchSize(16).epochs(6).weightDecay(0.01)
                            .warmupRatio(0.1).maxGradNorm(1).seed(1).dropout(0).patience(0).labelSmoothing(0).threads(1)
                            .build(),
                    io.finetide.model.train.Strategy.full(),
                    TrainingListener.NONE, io.finetide.model.train.Checkpoint.Store.NONE);
            for (String id : List.of("et-m1", "et-m2")) {
                ModelBundle b = new ModelBundle(cfg, tokenizer.name(), tokenizer.maxLength(), tokenizer.truncation(),
                        tags,
                        id.equals("et-m1") ? good.weights() : random, tokenizer.json(), Map.of("id", id));
                store.putOnce("models/et/" + id + ".zip", b.toBytes(), new Document());
            }
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "et", task.toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "et", trained("et", "et-m1")
                    .toByteArray())).get();
            List<ModelEvaluatedEvent> verdicts = new ArrayList<>();
            await().atMost(Duration.ofMinutes(2)).until(() -> collect("et", c, verdicts) >= 1);
            ModelEvaluatedEvent first = verdicts.get(0);
            assertThat(first.getBlessed()).isTrue();
            // 40 test sentences; entity F1 in micro_f1, one row per entity type.
            assertThat(first.getCandidate().getExamples()).isEqualTo(40);
            assertThat(first.getCandidate().getMicroF1()).isGreaterThan(0.8);
            assertThat(first.getCandidate().getPerClassList()).extracting(ClassMetrics::getLabel).containsExactly(
                    "fruit", "vehicle");
            assertThat(first.getDecisionReason()).contains("entity F1");

            double known = championsKnown();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "et", ModelPromotedEvent.newBuilder()
                    .setMeta(Events.meta("et")).setModelId("et-m1").setArtifact("models/et/et-m1.zip").build()
                    .toByteArray())).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> championsKnown() == known + 1);
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "et", trained("et", "et-m2")
                    .toByteArray())).get();
            await().atMost(Duration.ofMinutes(2)).until(() -> collect("et", c, verdicts) >= 2);
            ModelEvaluatedEvent second = verdicts.get(1);
            assertThat(second.getBlessed()).isFalse();
            assertThat(second.getCandidate().getMicroF1()).isLessThan(second.getChampion().getMicroF1());
            assertThat(second.getDecisionReason()).contains("entity F1").contains("keep champion");
        }
    }

    @Test
    void aWriterIsJudgedByTheCompletionsItWrites() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        io.finetide.proto.v1.ModelSpec writer = io.finetide.proto.v1.ModelSpec.newBuilder().setBaseModel("user/writer")
                .setTokenizer("user/writer").setArchitecture("transformer-decoder").setLayers(2).setHiddenSize(32)
                .setHeads(2).setFfnSize(64).setMaxSeqLen(16).build();
        TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName("eg").setType(io.finetide.proto.v1.TaskType.TEXT_GENERATION).setModel(
                        io.finetide.proto.v1.ModelSpec.newBuilder().setBaseModel("user/writer"))
                .setEvaluation(io.finetide.proto.v1.EvaluationSpec.newBuilder().setGenerationMaxNewTokens(4))
                .build(), name -> name.equals("user/writer") ? writer : null), 1L);
        List<SnapshotFile.Row> rows = io.finetide.testing.CompletionRows.rows("g", 300, 8);
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(),
                        ctx.topic(Topics.MODELS_EVALUATED))) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            store.putOnce("datasets/eg/eg-v1.jsonl.gz", SnapshotFile.write(rows), new Document());
            store.putOnce("models/eg/eg-m1.zip", io.finetide.testing.CompletionRows.writer(true).toBytes(),
                    new Document());
            store.putOnce("models/eg/eg-m2.zip", io.finetide.testing.CompletionRows.writer(false).toBytes(),
                    new Document());
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "eg", task.toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "eg", trained("eg", "eg-m1")
                    .toByteArray())).get();
            List<ModelEvaluatedEvent> verdicts = new ArrayList<>();
            await().atMost(Duration.ofMinutes(2)).until(() -> collect("eg", c, verdicts) >= 1);
            ModelEvaluatedEvent first = verdicts.get(0);
            assertThat(first.getBlessed()).isTrue();
            // 30 test prompts; each completion is one colour word, which the trained writer gets right.
            assertThat(first.getCandidate().getExamples()).isEqualTo(30);
            assertThat(first.getCandidate().getGeneration().getExactMatch()).isGreaterThan(0.9);
            assertThat(first.getCandidate().getGeneration().getRougeL()).isGreaterThan(0.9);
            // Perplexity of the examples' own completions (a colour and the end of text): near certainty.
            assertThat(first.getCandidate().getGeneration().getPerplexity()).isBetween(1.0, 2.0);
            assertThat(first.getReport().getFigure()).isEqualTo("rouge_l");
            assertThat(first.getDecisionReason()).contains("ROUGE-L");

            double known = championsKnown();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "eg", ModelPromotedEvent.newBuilder()
                    .setMeta(Events.meta("eg")).setModelId("eg-m1").setArtifact("models/eg/eg-m1.zip").build()
                    .toByteArray())).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> championsKnown() == known + 1);
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "eg", trained("eg", "eg-m2")
                    .toByteArray())).get();
            await().atMost(Duration.ofMinutes(2)).until(() -> collect("eg", c, verdicts) >= 2);
            ModelEvaluatedEvent second = verdicts.get(1);
            // The untrained writer loses on the same prompts, by the bootstrap interval and McNemar's count.
            assertThat(second.getBlessed()).isFalse();
            assertThat(second.getCandidate().getGeneration().getRougeL()).isLessThan(second.getChampion()
                    .getGeneration().getRougeL());
            assertThat(second.getReport().getSignificance().getUpper()).isNegative();
            // An untrained model spreads its probability over MiniLM's 30,522 tokens.
            assertThat(second.getCandidate().getGeneration().getPerplexity()).isGreaterThan(1000);
            assertThat(second.getChampion().getGeneration().getPerplexity()).isBetween(1.0, 2.0);
            assertThat(second.getReport().getSignificance().getChampionOnlyCorrect()).isGreaterThan(20);
            assertThat(second.getDecisionReason()).contains("ROUGE-L").contains("keep champion");
        }
    }

    /**
     * Two candidates judged while the task had no champion are both blessed; the first is promoted, so the second's
     * verdict compares it with a champion that no longer serves (deployment will not act on it). It is judged again
     * against the new champion, once. Failed before: no second verdict came.
     */
    @Test
    void aCandidateBlessedAgainstAReplacedChampionIsJudgedAgainstTheNewOne() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = task("rj");
        List<SnapshotFile.Row> rows = rows(240);
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(),
                        ctx.topic(Topics.MODELS_EVALUATED))) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            store.putOnce("datasets/rj/rj-v1.jsonl.gz", SnapshotFile.write(rows), new Document());
            TransformerConfig cfg = tinyEncoder(tokenizer);
            for (int seed = 1; seed <= 2; seed++) {
                putModel(store, "rj", "rj-m" + seed, cfg, trainedWell(cfg, Weights.initialise(cfg, seed), seed,
                        tokenizer, rows), tokenizer);
            }
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "rj", task.toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "rj", trained("rj", "rj-m1").toByteArray()))
                    .get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "rj", trained("rj", "rj-m2").toByteArray()))
                    .get();
            List<ModelEvaluatedEvent> verdicts = new ArrayList<>();
            await().atMost(Duration.ofMinutes(2)).until(() -> collect("rj", c, verdicts) >= 2);
            assertThat(verdicts).allMatch(ModelEvaluatedEvent::getBlessed).allMatch(v -> v.getChampionModelId()
                    .isEmpty());

            ModelPromotedEvent first = ModelPromotedEvent.newBuilder().setMeta(Events.meta("rj")).setModelId("rj-m1")
                    .setArtifact("models/rj/rj-m1.zip").build();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "rj", first.toByteArray())).get();
            await().atMost(Duration.ofMinutes(2)).until(() -> collect("rj", c, verdicts) >= 3);
            ModelEvaluatedEvent again = verdicts.get(2);
            assertThat(again.getModelId()).isEqualTo("rj-m2");
            assertThat(again.getChampionModelId()).isEqualTo("rj-m1");
            assertThat(again.hasChampion()).isTrue();
            assertThat(again.getReport().getDecidingRule()).isNotEqualTo(GateRule.FIRST_CHAMPION);

            // The promotion read again judges nothing again; a replayed trained event of rj-m2, the marker,
            // re-announces its latest verdict.
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "rj", first.toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), "rj", trained("rj", "rj-m2").toByteArray()))
                    .get();
            await().atMost(Duration.ofMinutes(2)).until(() -> collect("rj", c, verdicts) >= 4);
            assertThat(verdicts.get(3)).isEqualTo(again);
        }
        given().get("/api/v1/tasks/rj/evaluations").then().statusCode(200).body("modelId", contains("rj-m1",
                "rj-m2", "rj-m2")).body("championModelId", contains("", "", "rj-m1"));
        given().get("/api/v1/tasks/rj/evaluations/rj-m2").then().statusCode(200).body("championModelId", equalTo(
                "rj-m1"));
    }

    private static TaskDefinitionEvent task(String name) {
        return TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder().setName(name)
                .addAllLabels(LABELS).setPromotionMargin(0.01).build()), 1L);
    }

    private static TransformerConfig tinyEncoder(Tokenizer tokenizer) {
        return TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(16).typeVocabSize(2)
                .hiddenSize(32).layers(1).heads(2).intermediateSize(64).labels(2).pooling(Pooling.MEAN).dropout(0)
                .layerNormEps(1e-12).build();
    }

    /** Three epochs on the rows' train split: enough to tell fruit from vehicles on the test split. */
    private static Weights trainedWell(TransformerConfig cfg, Weights initial, long seed, Tokenizer tokenizer,
            List<SnapshotFile.Row> rows) {
        List<LabelledText> train = rows.stream().filter(r -> r.split().equals("TRAIN"))
                .map(r -> new LabelledText(r.text(), LABELS.indexOf(r.label()))).toList();
        return Trainer.train(cfg, initial, tokenizer, train, train, TrainingConfig.builder().learningRate(3e-3)
                .batchSize(16).epochs(3).weightDecay(0.01).warmupRatio(0.1).maxGradNorm(1).seed(seed).dropout(0)
                .patience(0).labelSmoothing(0).threads(1).build(), TrainingListener.NONE).weights();
    }

    private static double championsKnown() {
        return GateFixture.championsKnown();
    }

    /** Adds the verdicts of {@code task} (the tests of this class share the topic). */
    private static int collect(String task, KafkaConsumer<String, byte[]> c, List<ModelEvaluatedEvent> into)
            throws Exception {
        for (ConsumerRecord<String, byte[]> r : TestKafka.poll(c, Duration.ofMillis(200))) {
            ModelEvaluatedEvent e = ModelEvaluatedEvent.parseFrom(r.value());
            if (e.getMeta().getTask().equals(task)) {
                into.add(e);
            }
        }
        return into.size();
    }

    private static ModelTrainedEvent trained(String id) {
        return trained("ev", id);
    }

    private static ModelTrainedEvent trained(String task, String id) {
        return ModelTrainedEvent.newBuilder().setMeta(Events.meta(task)).setModelId(id).setSnapshotId(task + "-v1")
                .setSnapshotArtifact("datasets/" + task + "/" + task + "-v1.jsonl.gz").setArtifact("models/" + task
                        + "/" + id + ".zip")
                .build();
    }

    private static void putModel(ArtifactStore store, String id, TransformerConfig cfg, Weights w, Tokenizer enc) {
        putModel(store, "ev", id, cfg, w, enc);
    }

    private static void putModel(ArtifactStore store, String task, String id, TransformerConfig cfg, Weights w,
            Tokenizer enc) {
        ModelBundle b = new ModelBundle(cfg, enc.name(), enc.maxLength(), enc.truncation(), LABELS, w, enc.json(),
                Map.of("id", id));
        store.putOnce("models/" + task + "/" + id + ".zip", b.toBytes(), new Document());
    }
}
