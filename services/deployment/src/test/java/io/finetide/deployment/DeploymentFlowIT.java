package io.finetide.deployment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

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
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.ExampleScoredEvent;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.PredictionStatsEvent;
import io.finetide.proto.v1.UnlabelledExampleEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class DeploymentFlowIT {

    static final List<String> LABELS = List.of("neg", "pos");

    @Test
    void promotesSwapsWithoutFailingARequestRejectsAndKeepsLineage() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> promotedC = TestKafka.consumerFromStart(ctx.bootstrap(),
                        ctx.topic(Topics.MODELS_PROMOTED))) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            TransformerConfig cfg = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(16)
                    .typeVocabSize(2).hiddenSize(16).layers(1).heads(2).intermediateSize(32).labels(2)
                    .pooling(Pooling.MEAN).dropout(0).layerNormEps(1e-12).build();
            for (int i = 1; i <= 3; i++) {
                ModelBundle b = new ModelBundle(cfg, tokenizer.name(), tokenizer.maxLength(), tokenizer.truncation(),
                        LABELS,
                        Weights.initialise(cfg, i), tokenizer.json(), Map.of());
                store.putOnce("models/dp/dp-m" + i + ".zip", b.toBytes(), new Document());
            }
            given().contentType("application/json").body("{\"texts\":[\"hi\"]}").post("/api/v1/tasks/dp/predict")
                    .then().statusCode(404).body("reason", equalTo("NO_CHAMPION"));

            send(p, ctx, evaluated(1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> given().contentType("application/json")
                    .body("{\"texts\":[\"hi\"]}").post("/api/v1/tasks/dp/predict").statusCode() == 200);
            Response first = given().contentType("application/json").body("{\"texts\":[\"great\",\"awful\"]}")
                    .post("/api/v1/tasks/dp/predict");
            assertThat(first.jsonPath().getString("modelId")).isEqualTo("dp-m1");
            assertThat(first.jsonPath().getList("predictions")).hasSize(2);
            assertThat(first.jsonPath().getFloat("predictions[0].probabilities.neg")
                    + first.jsonPath().getFloat("predictions[0].probabilities.pos")).isCloseTo(1f,
                            org.assertj.core.data.Offset.offset(1e-5f));

            // Hammer the endpoint while the champion is swapped: no request may fail.
            List<Integer> statuses = new CopyOnWriteArrayList<>();
            Set<String> servedBy = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            Thread load = new Thread(() -> {
                for (int i = 0; i < 5000 && !stop.get(); i++) {
                    Response r = given().contentType("application/json").body("{\"texts\":[\"some text\"]}")
                            .post("/api/v1/tasks/dp/predict");
                    statuses.add(r.statusCode());
                    if (r.statusCode() == 200) {
                        servedBy.add(r.jsonPath().getString("modelId"));
                    }
                }
            });
            load.start();
            send(p, ctx, evaluated(2, true, "dp-m1"));
            await().atMost(Duration.ofSeconds(60)).until(() -> servedBy.contains("dp-m2"));
            stop.set(true);
            load.join();
            assertThat(statuses).isNotEmpty().allMatch(s -> s == 200);
            assertThat(servedBy).containsExactlyInAnyOrder("dp-m1", "dp-m2");

            send(p, ctx, evaluated(3, false, "dp-m2"));
            // A late replay of the first verdict must not bring the retired model back.
            send(p, ctx, evaluated(1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/tasks/dp/models").jsonPath()
                    .getList("stage").equals(List.of("RETIRED", "CHAMPION", "REJECTED")));
            Response models = given().get("/api/v1/tasks/dp/models");
            assertThat(models.jsonPath().getList("champion")).containsExactly(false, true, false);
            assertThat(models.jsonPath().getString("[1].parentModelId")).isEqualTo("dp-m1");
            assertThat(models.jsonPath().getString("[1].snapshotId")).isEqualTo("dp-v2");
            assertThat(models.jsonPath().getDouble("[1].testMacroF1")).isEqualTo(0.7);
            given().contentType("application/json").body("{\"texts\":[\"x\"]}").post("/api/v1/tasks/dp/predict")
                    .then().statusCode(200).body("modelId", equalTo("dp-m2"));

            // The serving model is one info series that follows the swap; every answered request is counted once
            // in the latency histogram, and every text once by label.
            String metrics = given().get("/q/metrics").asString();
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_serving_model_info", "task", "dp")).isEqualTo(
                    1.0);
            assertThat(PrometheusText.has(metrics, "finetide_deployment_serving_model_info", "model_id", "dp-m2",
                    "version", "2")).isTrue();
            assertThat(PrometheusText.has(metrics, "finetide_deployment_serving_model_info", "model_id", "dp-m1"))
                    .isFalse();
            // One model loaded per task served (the tagging test of this class may have added its own).
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_models_loaded")).isEqualTo(metrics.lines()
                    .filter(l -> l.startsWith("finetide_deployment_serving_model_info{")).count());
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_champion_registered", "task", "dp"))
                    .isEqualTo(1.0);
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_promotions_total", "task", "dp")).isEqualTo(
                    2.0);
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_candidates_rejected_total", "task", "dp"))
                    .isEqualTo(1.0);
            double answered = PrometheusText.sum(metrics, "finetide_deployment_requests_total", "task", "dp",
                    "status", "200");
            assertThat(answered).isGreaterThanOrEqualTo(statuses.size());
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_request_latency_seconds_count", "task", "dp"))
                    .isEqualTo(PrometheusText.sum(metrics, "finetide_deployment_requests_total", "task", "dp"));
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_predicted_labels_total", "task", "dp"))
                    .isEqualTo(PrometheusText.sum(metrics, "finetide_deployment_predictions_total", "task", "dp"));
            // Before dp had a champion, its requests were not a "dp" series: a URL segment is not a tag.
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_requests_total", "task", "other", "status",
                    "404", "reason", "NO_CHAMPION")).isGreaterThanOrEqualTo(1.0);

            // The champion as a SavedModel with its tokenizer: TensorFlow's own loader answers as /predict does.
            byte[] zip = given().get("/api/v1/tasks/dp/models/dp-m2/savedmodel").then().statusCode(200)
                    .contentType("application/zip").extract().asByteArray();
            float[] exported = savedModelProbabilities(zip, "great");
            Response viaApi = given().contentType("application/json").body("{\"texts\":[\"great\"]}")
                    .post("/api/v1/tasks/dp/predict");
            assertThat(exported[0]).isCloseTo(viaApi.jsonPath().getFloat("predictions[0].probabilities.neg"),
                    org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(exported[1]).isCloseTo(viaApi.jsonPath().getFloat("predictions[0].probabilities.pos"),
                    org.assertj.core.data.Offset.offset(1e-5f));
            // The model card goes with the export, and is served on its own.
            try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(
                    zip))) {
                List<String> names = new ArrayList<>();
                for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                    names.add(entry.getName());
                }
                assertThat(names).contains("MODEL_CARD.md", "model-card.json", "calibration.json");
            }
            given().get("/api/v1/tasks/dp/models/dp-m2/card").then().statusCode(200).contentType(
                    "text/markdown; charset=utf-8").body(org.hamcrest.Matchers.startsWith("# Model card: dp-m2\n"))
                    .body(org.hamcrest.Matchers.containsString("## Privacy"));
            given().get("/api/v1/tasks/dp/models/dp-m2/card.json").then().statusCode(200).body("modelId", equalTo(
                    "dp-m2")).body("stage", equalTo("CHAMPION")).body("evaluation.accuracy", equalTo(0.7f));
            given().get("/api/v1/tasks/dp/models/dp-m9/card").then().statusCode(404).body("reason", equalTo(
                    "NOT_FOUND"));
            // Why the champion answers as it does: per-word attributions that add up to the probability's change.
            Response why = given().contentType("application/json").body("{\"text\":\"a great film\"}").post(
                    "/api/v1/tasks/dp/explain");
            assertThat(why.statusCode()).isEqualTo(200);
            assertThat(why.jsonPath().getString("modelId")).isEqualTo("dp-m2");
            assertThat(why.jsonPath().getList("words.word")).containsExactly("a", "great", "film");
            // The label explained is the one /predict answers (calibration never changes the arg max).
            assertThat(why.jsonPath().getString("label")).isEqualTo(given().contentType("application/json").body(
                    "{\"texts\":[\"a great film\"]}").post("/api/v1/tasks/dp/predict").jsonPath().getString(
                            "predictions[0].label"));
            assertThat(why.jsonPath().getInt("steps")).isEqualTo(64);
            assertCompleteness(why);
            given().contentType("application/json").body("{\"text\":\"great\",\"label\":\"neg\",\"steps\":8}").post(
                    "/api/v1/tasks/dp/explain").then().statusCode(200).body("label", equalTo("neg")).body("steps",
                            equalTo(8));
            given().contentType("application/json").body("{\"text\":\"great\",\"label\":\"meh\"}").post(
                    "/api/v1/tasks/dp/explain").then().statusCode(422).body("reason", equalTo("CANNOT_EXPLAIN"));
            given().contentType("application/json").body("{\"text\":\"great\",\"steps\":0}").post(
                    "/api/v1/tasks/dp/explain").then().statusCode(422).body("reason", equalTo("INVALID_STEPS"));
            given().contentType("application/json").body("{}").post("/api/v1/tasks/dp/explain").then().statusCode(400)
                    .body("reason", equalTo("MISSING_FIELD"));
            given().contentType("application/json").body("{\"text\":\"great\"}").post(
                    "/api/v1/tasks/nochamp/explain").then().statusCode(404).body("reason", equalTo("NO_CHAMPION"));
            given().get("/api/v1/tasks/dp/models/dp-m9/savedmodel").then().statusCode(404).body("reason", equalTo(
                    "NOT_FOUND"));

            List<ModelPromotedEvent> promoted = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(promotedC, Duration.ofMillis(200))) {
                    // The other test of this class promotes in the same topic.
                    if ("dp".equals(r.key())) {
                        promoted.add(ModelPromotedEvent.parseFrom(r.value()));
                    }
                }
                return promoted.size() >= 2;
            });
            assertThat(promoted).extracting(ModelPromotedEvent::getModelId).containsExactly("dp-m1", "dp-m2");
            assertThat(promoted.get(1).getPreviousModelId()).isEqualTo("dp-m1");
            assertThat(promoted).extracting(ModelPromotedEvent::getSnapshotId).containsExactly("dp-v1", "dp-v2");

            // Active learning: the champion scores unlabelled examples; a task without a champion gets no scores.
            try (KafkaConsumer<String, byte[]> scoredC = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                    Topics.EXAMPLES_SCORED))) {
                for (String[] e : new String[][]{{"nochamp", "n1", "whatever"}, {"dp", "u1", "great film"}, {
                        "dp", "u2", "dull and long"}}) {
                    p.send(new ProducerRecord<>(ctx.topic(Topics.EXAMPLES_UNLABELLED), e[0], UnlabelledExampleEvent
                            .newBuilder().setMeta(Events.meta(e[0])).setId(e[1]).setText(e[2]).build().toByteArray()))
                            .get();
                }
                List<ExampleScoredEvent> scored = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<String, byte[]> r : TestKafka.poll(scoredC, Duration.ofMillis(200))) {
                        scored.add(ExampleScoredEvent.parseFrom(r.value()));
                    }
                    return scored.size() >= 2;
                });
                assertThat(scored).extracting(ExampleScoredEvent::getId).containsExactly("u1", "u2");
                Response direct = given().contentType("application/json").body(
                        "{\"texts\":[\"great film\"]}").post("/api/v1/tasks/dp/predict");
                assertThat(scored).allSatisfy(e -> {
                    assertThat(e.getModelId()).isEqualTo("dp-m2");
                    assertThat(e.getLabelsList()).isEqualTo(LABELS);
                    assertThat(e.getProbabilitiesList().stream().mapToDouble(Float::doubleValue).sum()).isCloseTo(
                            1.0, org.assertj.core.data.Offset.offset(1e-5));
                });
                assertThat(scored.get(0).getProbabilities(1)).isCloseTo(direct.jsonPath().getFloat(
                        "predictions[0].probabilities.pos"), org.assertj.core.data.Offset.offset(1e-6f));
                statuses.add(200); // the direct request above is served traffic, counted below
            }

            // Every served prediction is counted once in the statistics windows, per model, without any text.
            // The last two: the requests compared with the SavedModel and with the explanation.
            long served = 1 + 2 + statuses.size() + 1 + 1 + 1;
            List<PredictionStatsEvent> stats = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> statsC = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                    Topics.PREDICTIONS_STATS))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<String, byte[]> r : TestKafka.poll(statsC, Duration.ofMillis(200))) {
                        stats.add(PredictionStatsEvent.parseFrom(r.value()));
                    }
                    return stats.stream().mapToLong(e -> e.getPredictedCountsMap().values().stream().mapToLong(
                            Long::longValue).sum()).sum() == served;
                });
            }
            assertThat(stats).extracting(PredictionStatsEvent::getModelId).contains("dp-m1", "dp-m2");
            assertThat(stats).allSatisfy(e -> {
                assertThat(e.getConfidenceHistogramCount()).isEqualTo(10);
                assertThat(e.getConfidenceHistogramList().stream().mapToLong(Long::longValue).sum()).isEqualTo(e
                        .getPredictedCountsMap().values().stream().mapToLong(Long::longValue).sum());
                assertThat(e.getPredictedCountsMap()).containsOnlyKeys("neg", "pos");
            });
        }
        given().contentType("application/json").body("{\"texts\":[]}").post("/api/v1/tasks/dp/predict").then()
                .statusCode(400).body("reason", equalTo("MISSING_FIELD"));
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** Unzips an export, tokenises {@code text} with its tokenizer and runs its serving signature. */
    private static float[] savedModelProbabilities(byte[] zip, String text) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("savedmodel-it-");
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(
                zip))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null;) {
                java.nio.file.Path f = dir.resolve(e.getName());
                java.nio.file.Files.createDirectories(f.getParent());
                java.nio.file.Files.copy(in, f);
            }
        }
        assertThat(new String(java.nio.file.Files.readAllBytes(dir.resolve("labels.json")))).isEqualTo(
                "[\"neg\",\"pos\"]");
        int[] ids;
        try (Tokenizer tok = Tokenizer.fromJson("export", java.nio.file.Files.readAllBytes(dir.resolve(
                "tokenizer.json")), 16, io.finetide.model.tokenizer.Truncation.HEAD)) {
            ids = tok.encode(text);
        }
        float[] mask = new float[ids.length];
        java.util.Arrays.fill(mask, 1f);
        try (org.tensorflow.SavedModelBundle b = org.tensorflow.SavedModelBundle.load(dir.resolve("saved_model")
                .toString(), "serve");
                org.tensorflow.types.TInt32 idT = org.tensorflow.types.TInt32.tensorOf(org.tensorflow.ndarray.Shape
                        .of(1, ids.length), org.tensorflow.ndarray.buffer.DataBuffers.of(ids, true, false));
                org.tensorflow.types.TFloat32 maskT = org.tensorflow.types.TFloat32.tensorOf(
                        org.tensorflow.ndarray.Shape.of(1, ids.length), org.tensorflow.ndarray.buffer.DataBuffers.of(
                                mask, true, false));
                org.tensorflow.types.TInt32 typeT = org.tensorflow.types.TInt32.tensorOf(org.tensorflow.ndarray.Shape
                        .of(1, ids.length),
                        org.tensorflow.ndarray.buffer.DataBuffers.of(new int[ids.length], true,
                                false));
                org.tensorflow.Result r = b.function("serving_default").call(Map.<String, org.tensorflow.Tensor>of(
                        "input_ids", idT, "attention_mask", maskT, "token_type_ids", typeT))) {
            org.tensorflow.types.TFloat32 p = (org.tensorflow.types.TFloat32) r.get("probabilities").orElseThrow();
            float[] out = new float[2];
            p.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
            return out;
        }
    }

    @Test
    void aTaggingTasksChampionTagsWordsAndListsEntities() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        List<String> tags = List.of("O", "B-fruit", "I-fruit", "B-vehicle", "I-vehicle");
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            TransformerConfig cfg = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(16)
                    .typeVocabSize(2).hiddenSize(32).layers(1).heads(2).intermediateSize(64).labels(tags.size())
                    .head(Head.TOKEN).dropout(0).layerNormEps(1e-12).build();
            List<io.finetide.model.train.TaggedWords> train = io.finetide.testing.TaggedRows.rows("d", 300, 2)
                    .stream().map(r -> new io.finetide.model.train.TaggedWords(r.tokens(), r.tags().stream()
                            .mapToInt(tags::indexOf).toArray()))
                    .toList();
            Weights w = io.finetide.model.train.Trainer.trainTokens(cfg, Weights.initialise(cfg, 5), tokenizer, train,
                    train, tags,
                    io.finetide.model.train.TrainingConfig.builder().learningRate(1e-2).batchSize(16).epochs(6)
                            .weightDecay(0.01).warmupRatio(0.1).maxGradNorm(1).seed(1).dropout(0).patience(0)
                            .labelSmoothing(0).threads(1).build(),
                    io.finetide.model.train.Strategy.full(), io.finetide.model.train.TrainingListener.NONE,
                    io.finetide.model.train.Checkpoint.Store.NONE).weights();
            store.putOnce("models/dt/dt-m1.zip", new ModelBundle(cfg, tokenizer.name(), tokenizer.maxLength(), tokenizer
                    .truncation(), tags, w, tokenizer.json(), Map.of()).toBytes(), new Document());
            send(p, ctx, evaluated("dt", 1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> given().contentType("application/json").body(
                    "{\"texts\":[\"hi\"]}").post("/api/v1/tasks/dt/tag").statusCode() == 200);
            Response r = given().contentType("application/json").body("{\"tokens\":[[\"my\",\"sweet\",\"mango\","
                    + "\"and\",\"the\",\"bus\"]],\"texts\":[\"ignored\"]}").post("/api/v1/tasks/dt/tag");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.jsonPath().getString("modelId")).isEqualTo("dt-m1");
            assertThat(r.jsonPath().getList("results[0].tags")).containsExactly("O", "B-fruit", "I-fruit", "O", "O",
                    "B-vehicle");
            assertThat(r.jsonPath().getList("results[0].entities.text")).containsExactly("sweet mango", "bus");
            assertThat(r.jsonPath().getList("results[0].entities.type")).containsExactly("fruit", "vehicle");
            assertThat(r.jsonPath().getList("results[0].confidences")).hasSize(6);
            // Four times as long as the model reads (16 positions): the words past its length are tagged too.
            String sentence = "\"my\",\"sweet\",\"mango\",\"and\",\"the\",\"bus\"";
            Response longer = given().contentType("application/json").body("{\"tokens\":[[" + String.join(",",
                    java.util.Collections.nCopies(4, sentence)) + "]]}").post("/api/v1/tasks/dt/tag");
            assertThat(longer.jsonPath().getList("results[0].tags")).hasSize(24).last().isEqualTo("B-vehicle");
            assertThat(longer.jsonPath().getFloat("results[0].confidences[23]")).isGreaterThan(0.5f);
            // Texts are split on whitespace.
            given().contentType("application/json").body("{\"texts\":[\"a  car\"]}").post("/api/v1/tasks/dt/tag")
                    .then().statusCode(200).body("results[0].tokens", org.hamcrest.Matchers.contains("a", "car"));
            given().contentType("application/json").body("{\"texts\":[\"a car\"]}").post("/api/v1/tasks/dt/predict")
                    .then().statusCode(409).body("reason", equalTo("WRONG_ENDPOINT"));
            given().contentType("application/json").body("{}").post("/api/v1/tasks/dt/tag").then().statusCode(400)
                    .body("reason", equalTo("MISSING_FIELD"));
            given().contentType("application/json").body("{\"tokens\":[[]]}").post("/api/v1/tasks/dt/tag").then()
                    .statusCode(400).body("reason", equalTo("MALFORMED_PAYLOAD"));

            // Why "bus" is a vehicle: integrated gradients over the words, for the tag the tagger gave it.
            Response why = given().contentType("application/json").body("{\"tokens\":[\"my\",\"sweet\",\"mango\","
                    + "\"and\",\"the\",\"bus\"],\"word\":5}").post("/api/v1/tasks/dt/explain");
            assertThat(why.statusCode()).isEqualTo(200);
            assertThat(why.jsonPath().getString("label")).isEqualTo("B-vehicle");
            assertThat(why.jsonPath().getInt("word")).isEqualTo(5);
            assertThat(why.jsonPath().getList("words.word")).containsExactly("my", "sweet", "mango", "and", "the",
                    "bus");
            assertCompleteness(why);
            given().contentType("application/json").body("{\"tokens\":[\"bus\"],\"word\":3}").post(
                    "/api/v1/tasks/dt/explain").then().statusCode(422).body("reason", equalTo("CANNOT_EXPLAIN"));
            // A null word (Schemathesis's case answered 500).
            given().contentType("application/json").body("{\"tokens\":[\"my\",null]}").post(
                    "/api/v1/tasks/dt/explain").then().statusCode(400).body("reason", equalTo("MALFORMED_PAYLOAD"));
        }
    }

    @Test
    void aGenerationTasksChampionWritesCompletionsAndStreamsThem() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            store.putOnce("models/dg/dg-m1.zip", io.finetide.testing.CompletionRows.writer(true).toBytes(),
                    new Document());
            send(p, ctx, evaluated("dg", 1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> given().contentType("application/json").body(
                    "{\"prompt\":\"hi\"}").post("/api/v1/tasks/dg/generate").statusCode() == 200);
            Response r = given().contentType("application/json").body("{\"prompt\":\"my big grape is coloured\"}")
                    .post("/api/v1/tasks/dg/generate");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.jsonPath().getString("modelId")).isEqualTo("dg-m1");
            assertThat(r.jsonPath().getString("text")).isEqualTo("purple");
            assertThat(r.jsonPath().getString("finish")).isEqualTo("END_OF_TEXT");
            // Its graph scores next tokens; the decoding is Finetide's: no SavedModel stands for it.
            given().get("/api/v1/tasks/dg/models/dg-m1/savedmodel").then().statusCode(409).body("reason", equalTo(
                    "NOT_EXPORTABLE"));
            given().contentType("application/json").body("{\"prompt\":\"the old lime is coloured\",\"decoding\":"
                    + "\"BEAM\",\"beamWidth\":3}").post("/api/v1/tasks/dg/generate").then().statusCode(200).body(
                            "text", equalTo("green"))
                    .body("decoding", equalTo("BEAM"));
            // A stop sequence cuts the text before it; at most maxNewTokens are written.
            given().contentType("application/json").body("{\"prompt\":\"the old lime is coloured\",\"stop\":"
                    + "[\"ee\"]}").post("/api/v1/tasks/dg/generate").then().statusCode(200).body("text", equalTo(
                            "gr"))
                    .body("finish", equalTo("STOP"));
            given().contentType("application/json").body("{\"prompt\":\"the old lime is coloured\",\"maxNewTokens\":1}")
                    .post("/api/v1/tasks/dg/generate").then().statusCode(200).body("finish", equalTo("LENGTH")).body(
                            "tokens", equalTo(1));
            // Sampling: one seed, one answer, and the seed is in the answer.
            String sample = "{\"prompt\":\"a new plum is coloured\",\"decoding\":\"SAMPLING\",\"temperature\":1.5,"
                    + "\"seed\":7}";
            Response s1 = given().contentType("application/json").body(sample).post("/api/v1/tasks/dg/generate");
            Response s2 = given().contentType("application/json").body(sample).post("/api/v1/tasks/dg/generate");
            assertThat(s1.jsonPath().getString("text")).isEqualTo(s2.jsonPath().getString("text"));
            assertThat(s1.jsonPath().getLong("seed")).isEqualTo(7);
            // Streamed: the pieces, then the whole answer.
            Response streamed = given().contentType("application/json").accept("text/event-stream").body(
                    "{\"prompt\":\"my big grape is coloured\",\"stream\":true}").post("/api/v1/tasks/dg/generate");
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.contentType()).startsWith("text/event-stream");
            String events = streamed.asString();
            assertThat(events).contains("event: piece\ndata: {\"text\":\"purple\"}").contains("event: done\ndata: ")
                    .contains("\"finish\":\"END_OF_TEXT\"");
            assertThat(events.indexOf("event: piece")).isLessThan(events.indexOf("event: done"));
            // The same writer through the Open Inference Protocol's generate extension (Triton's), in its words.
            String version = Integer.toString(r.jsonPath().getInt("version"));
            given().contentType("application/json").body("{\"id\":\"q1\",\"text_input\":\"my big grape is coloured\"}")
                    .post("/v2/models/dg/generate").then().statusCode(200).body("text_output", equalTo("purple"))
                    .body("model_name", equalTo("dg")).body("model_version", equalTo(version)).body("id", equalTo(
                            "q1"))
                    .body("finish_reason", equalTo("END_OF_TEXT"));
            given().contentType("application/json").body("{\"text_input\":\"the old lime is coloured\","
                    + "\"parameters\":{\"beam_width\":3}}").post("/v2/models/dg/generate").then().statusCode(200)
                    .body("text_output", equalTo("green"));
            given().contentType("application/json").body("{\"text_input\":\"the old lime is coloured\","
                    + "\"parameters\":{\"stop\":\"ee\"}}").post("/v2/models/dg/generate").then().statusCode(200)
                    .body("text_output", equalTo("gr")).body("finish_reason", equalTo("STOP"));
            given().contentType("application/json").body("{\"text_input\":\"the old lime is coloured\","
                    + "\"parameters\":{\"max_tokens\":1,\"temperature\":0}}").post("/v2/models/dg/generate")
                    .then().statusCode(200).body("finish_reason", equalTo("LENGTH")).body("output_tokens", equalTo(1));
            // Sampling parameters ask for sampling: the same seed writes what Finetide's endpoint wrote.
            given().contentType("application/json").body("{\"text_input\":\"a new plum is coloured\","
                    + "\"parameters\":{\"temperature\":1.5,\"seed\":7}}").post("/v2/models/dg/generate").then()
                    .statusCode(200).body("text_output", equalTo(s1.jsonPath().getString("text"))).body("seed",
                            equalTo(7));
            Response v2Stream = given().contentType("application/json").accept("text/event-stream").body(
                    "{\"text_input\":\"my big grape is coloured\"}").post("/v2/models/dg/generate_stream");
            assertThat(v2Stream.statusCode()).isEqualTo(200);
            assertThat(v2Stream.contentType()).startsWith("text/event-stream");
            String chunks = v2Stream.asString();
            assertThat(chunks).startsWith("data: {\"model_name\":\"dg\",\"model_version\":\"" + version
                    + "\",\"text_output\":\"purple\"}\n\n").endsWith("\"text_output\":\"\",\"finish_reason\":"
                            + "\"END_OF_TEXT\",\"output_tokens\":" + r.jsonPath().getInt("tokens") + "}\n\n");
            given().contentType("application/json").body("{}").post("/v2/models/dg/generate").then().statusCode(400)
                    .body("error", containsString("'text_input'"));
            given().contentType("application/json").body("{\"text_input\":\"x\",\"parameters\":{\"max_tokens\":0}}")
                    .post("/v2/models/dg/generate").then().statusCode(400).body("error", containsString(
                            "'max_tokens' must be in [1, 512]"));
            given().contentType("application/json").body("{\"text_input\":\"x\",\"parameters\":{\"min_p\":0.1}}")
                    .post("/v2/models/dg/generate").then().statusCode(400).body("error", containsString(
                            "unknown parameter 'min_p'"));
            given().contentType("application/json").body("{\"text_input\":\"x\",\"parameters\":{\"stream\":true}}")
                    .post("/v2/models/dg/generate").then().statusCode(400).body("error", containsString(
                            "generate_stream"));
            given().contentType("application/json").body("{\"text_input\":\"x\"}").post("/v2/models/nobody/generate")
                    .then().statusCode(404).body("error", containsString("no version in service"));
            given().contentType("application/json").body("{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\","
                    + "\"shape\":[1],\"data\":[\"x\"]}]}").post("/v2/models/dg/infer").then().statusCode(400)
                    .body("error", containsString("POST /v2/models/dg/generate"));
            // Refusals, each with its reason.
            given().contentType("application/json").body("{}").post("/api/v1/tasks/dg/generate").then().statusCode(
                    400).body("reason", equalTo("MISSING_FIELD"));
            given().contentType("application/json").body("{\"prompt\":\"x\",\"maxNewTokens\":0}").post(
                    "/api/v1/tasks/dg/generate").then().statusCode(400).body("reason", equalTo("MALFORMED_PAYLOAD"));
            given().contentType("application/json").body("{\"prompt\":\"x\",\"decoding\":\"TELEPATHY\"}").post(
                    "/api/v1/tasks/dg/generate").then().statusCode(400).body("reason", equalTo("MALFORMED_PAYLOAD"));
            given().contentType("application/json").body("{\"prompt\":\"x\",\"temperature\":2}").post(
                    "/api/v1/tasks/dg/generate").then().statusCode(400).body("message", containsString("SAMPLING"));
            given().contentType("application/json").body("{\"texts\":[\"a car\"]}").post("/api/v1/tasks/dg/predict")
                    .then().statusCode(409).body("reason", equalTo("WRONG_ENDPOINT")).body("message", containsString(
                            "/generate"));
            given().contentType("application/json").body("{\"prompt\":\"x\"}").post("/api/v1/tasks/nobody/generate")
                    .then().statusCode(404).body("reason", equalTo("NO_CHAMPION"));
        }
    }

    /**
     * A verdict is a comparison with one champion: blessed against a champion that no longer serves (the champion
     * changed while the candidate was judged), it promotes nothing until the candidate is judged against the one that
     * serves. Failed before the fence: the stale verdict promoted fe-m2 over fe-m1 without comparing the two.
     */
    @Test
    void aVerdictAgainstAChampionNoLongerServingPromotesNothing() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            for (int v = 1; v <= 2; v++) {
                ServedTasks.store(store, "fe", v, ServedTasks.tinyClassifier(tokenizer, 70 + v));
            }
            send(p, ctx, evaluated("fe", 1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/tasks/fe/models").jsonPath()
                    .getList("stage").equals(List.of("CHAMPION")));
            // fe-m2 was judged while no champion served yet; the rejected fe-m3 after it is the marker.
            send(p, ctx, evaluated("fe", 2, true, ""));
            send(p, ctx, evaluated("fe", 3, false, "fe-m1"));
            await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/tasks/fe/models").jsonPath()
                    .getList("stage").size() == 3);
            assertThat(given().get("/api/v1/tasks/fe/models").jsonPath().getList("stage")).containsExactly("CHAMPION",
                    "CANDIDATE", "REJECTED");
            assertThat(
                    PrometheusText.sum(given().get("/q/metrics").asString(), "finetide_deployment_verdicts_stale_total",
                            "task", "fe"))
                    .isEqualTo(1.0);
            // Judged again against fe-m1, the champion serving: now it is promoted.
            send(p, ctx, evaluated("fe", 2, true, "fe-m1"));
            await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/tasks/fe/models").jsonPath()
                    .getList("stage").equals(List.of("RETIRED", "CHAMPION", "REJECTED")));
        }
    }

    private static void send(KafkaProducer<String, byte[]> p, FinetideTestResource.Context ctx, ModelEvaluatedEvent e)
            throws Exception {
        ServedTasks.send(p, ctx, e);
    }

    /** The attributions add up to the change from the baseline, within the gap the answer reports. */
    private static void assertCompleteness(Response why) {
        double sum = why.jsonPath().getList("words.attribution", Float.class).stream().mapToDouble(Float::doubleValue)
                .sum();
        double change = why.jsonPath().getDouble("probability") - why.jsonPath().getDouble("baseline");
        assertThat(Math.abs(sum - change)).isCloseTo(why.jsonPath().getDouble("completenessGap"),
                org.assertj.core.data.Offset.offset(1e-5));
        assertThat(why.jsonPath().getDouble("completenessGap")).isLessThan(0.01);
    }

    private static ModelEvaluatedEvent evaluated(int version, boolean blessed, String champion) {
        return evaluated("dp", version, blessed, champion);
    }

    private static ModelEvaluatedEvent evaluated(String task, int version, boolean blessed, String champion) {
        return ServedTasks.evaluated(task, version, blessed, champion);
    }
}
