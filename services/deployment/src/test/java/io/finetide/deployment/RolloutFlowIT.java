package io.finetide.deployment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.deployment.openinference.v2.GRPCInferenceServiceGrpc;
import io.finetide.deployment.openinference.v2.InferParameter;
import io.finetide.deployment.openinference.v2.InferTensorContents;
import io.finetide.deployment.openinference.v2.ModelInferRequest;
import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.RolloutEvent;
import io.finetide.proto.v1.RolloutStage;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Progressive delivery of task {@code ro} (shadow: 40 requests and 20 feedback events; canary: a quarter of requests,
 * 100 requests and 20 feedback events; see application.properties): a candidate in shadow never changes an answer, a
 * canary takes its share of keyed requests and keeps each key, a good one becomes champion, a bad one is aborted in
 * canary, and an admin aborts one by hand. The tiny models' labels are computed here, so every answer is known.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class RolloutFlowIT {

    private static final String KEY = "Finetide-Request-Key";

    private final Map<Integer, ModelBundle> bundles = new HashMap<>();
    private final List<ConsumerRecord<String, byte[]>> announced = new ArrayList<>();

    @Test
    void aCandidateGoesThroughShadowAndCanaryOrIsAborted() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> rollouts = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.MODELS_ROLLOUTS))) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            for (int v = 1; v <= 4; v++) {
                bundles.put(v, ServedTasks.tinyClassifier(tokenizer, 70 + v));
                ServedTasks.store(store, "ro", v, bundles.get(v));
            }
            ServedTasks.send(p, ctx, ServedTasks.evaluated("ro", 1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> "ro-m1".equals(served()));

            // Shadow: every answer is the champion's own, and the candidate's copy is scored beside it.
            ServedTasks.send(p, ctx, ServedTasks.evaluated("ro", 2, true, "ro-m1"));
            RolloutEvent shadow = next(rollouts);
            assertThat(shadow.getStage()).isEqualTo(RolloutStage.ROLLOUT_SHADOW);
            assertThat(shadow.getModelId()).isEqualTo("ro-m2");
            assertThat(shadow.getChampionModelId()).isEqualTo("ro-m1");
            List<String> texts = texts("shadowed", 40);
            List<String> m1 = labels(1, texts);
            List<String> m2 = labels(2, texts);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                Response r = predict(texts.get(i), null);
                assertThat(r.jsonPath().getString("modelId")).isEqualTo("ro-m1");
                assertThat(r.jsonPath().getString("predictions[0].label")).isEqualTo(m1.get(i));
                ids.add(r.jsonPath().getString("predictions[0].predictionId"));
            }
            int agree = 0;
            for (int i = 0; i < texts.size(); i++) {
                agree += m1.get(i).equals(m2.get(i)) ? 1 : 0;
            }
            int agreeing = agree;
            await().atMost(Duration.ofSeconds(30)).until(() -> shadowScored("agree") + shadowScored("disagree") == 40);
            assertThat(shadowScored("agree")).isEqualTo(agreeing);
            // Truth is the candidate's label on 20 of them: it is right on all, the champion where they agree.
            feedback(ids.subList(0, 20), m2.subList(0, 20));
            RolloutEvent canary = next(rollouts);
            assertThat(canary.getStage()).isEqualTo(RolloutStage.ROLLOUT_CANARY);
            assertThat(canary.getStageRequests()).isEqualTo(40);
            assertThat(canary.getStageFeedback()).isEqualTo(20);
            assertThat(canary.getCandidateAccuracy()).isEqualTo(1.0);
            int agreeFirst20 = 0;
            for (int i = 0; i < 20; i++) {
                agreeFirst20 += m1.get(i).equals(m2.get(i)) ? 1 : 0;
            }
            assertThat(canary.getReferenceAccuracy()).isCloseTo(agreeFirst20 / 20.0, within(1e-9));
            assertThat(canary.getShadowAgreement()).isCloseTo(agreeing / 40.0, within(1e-9));

            // Canary: a quarter of 2,000 keyed requests, each key staying with its model.
            Map<String, String> byKey = new HashMap<>();
            int toCanary = 0;
            for (int i = 0; i < 2000; i++) {
                Response r = predict("keyed request " + i, "user-" + i);
                assertThat(r.statusCode()).isEqualTo(200);
                byKey.put("user-" + i, r.jsonPath().getString("modelId"));
                toCanary += "ro-m2".equals(r.jsonPath().getString("modelId")) ? 1 : 0;
            }
            assertThat(toCanary / 2000.0).isCloseTo(0.25, within(0.03));
            for (int i = 0; i < 100; i++) {
                assertThat(predict("again " + i, "user-" + i).jsonPath().getString("modelId")).isEqualTo(byKey.get(
                        "user-" + i));
            }
            assertThat(served()).isEqualTo("ro-m1");
            // Over gRPC the key is a request parameter, and splits the same way.
            io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1",
                    io.restassured.RestAssured.port).usePlaintext().build();
            try {
                GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc = GRPCInferenceServiceGrpc
                        .newBlockingStub(channel);
                for (int i = 0; i < 50; i++) {
                    ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("ro").addInputs(
                            ModelInferRequest.InferInputTensor.newBuilder().setName("text").setDatatype("BYTES")
                                    .addShape(1).setContents(InferTensorContents.newBuilder().addBytesContents(
                                            ByteString.copyFromUtf8("over grpc " + i))))
                            .putParameters("finetide-request-key", InferParameter.newBuilder().setStringParam("user-"
                                    + i).build())
                            .build();
                    assertThat(grpc.modelInfer(request).getModelVersion()).as("user-" + i).isEqualTo("ro-m2".equals(
                            byKey.get("user-" + i)) ? "2" : "1");
                }
            } finally {
                channel.shutdownNow();
            }
            // Feedback agreeing with 20 of the canary's answers: it becomes champion.
            answeredBy("ro-m2", 20, true);
            RolloutEvent promoted = next(rollouts);
            assertThat(promoted.getStage()).isEqualTo(RolloutStage.ROLLOUT_PROMOTED);
            assertThat(promoted.getStageFeedback()).isEqualTo(20);
            await().atMost(Duration.ofSeconds(30)).until(() -> "ro-m2".equals(served()));
            assertThat(stages()).containsExactly("RETIRED", "CHAMPION");

            // A candidate good in shadow whose canary answers are contradicted: aborted, never champion.
            ServedTasks.send(p, ctx, ServedTasks.evaluated("ro", 3, true, "ro-m2"));
            assertThat(next(rollouts).getStage()).isEqualTo(
                    RolloutStage.ROLLOUT_SHADOW);
            List<String> more = texts("shadowed again", 40);
            List<String> m3 = labels(3, more);
            List<String> ids3 = new ArrayList<>();
            for (String t : more) {
                Response r = predict(t, null);
                assertThat(r.jsonPath().getString("modelId")).isEqualTo("ro-m2");
                ids3.add(r.jsonPath().getString("predictions[0].predictionId"));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> shadowScored("agree") + shadowScored("disagree") == 80);
            feedback(ids3.subList(0, 20), m3.subList(0, 20));
            assertThat(next(rollouts).getStage()).isEqualTo(
                    RolloutStage.ROLLOUT_CANARY);
            answeredBy("ro-m3", 20, false);
            RolloutEvent aborted = next(rollouts);
            assertThat(aborted.getStage()).isEqualTo(RolloutStage.ROLLOUT_ABORTED);
            assertThat(aborted.getModelId()).isEqualTo("ro-m3");
            assertThat(aborted.getActor()).isEqualTo("automatic");
            assertThat(aborted.getCandidateAccuracy()).isEqualTo(0.5);
            assertThat(aborted.getReason()).contains("below the champion's live accuracy");
            given().get("/api/v1/tasks/ro/delivery/rollout").then().statusCode(404);
            for (int i = 0; i < 200; i++) {
                assertThat(predict("after the abort " + i, "user-" + i).jsonPath().getString("modelId")).isEqualTo(
                        "ro-m2");
            }

            // An admin aborts a rollout by hand, saying who and why.
            ServedTasks.send(p, ctx, ServedTasks.evaluated("ro", 4, true, "ro-m2"));
            assertThat(next(rollouts).getStage()).isEqualTo(
                    RolloutStage.ROLLOUT_SHADOW);
            given().get("/api/v1/tasks/ro/delivery/rollout").then().statusCode(200);
            given().contentType("application/json").body(Map.of("by", "ops-anna")).post(
                    "/api/v1/tasks/ro/delivery/abort").then().statusCode(400);
            given().contentType("application/json").body(Map.of("by", "ops-anna", "reason", "customer freeze"))
                    .post("/api/v1/tasks/ro/delivery/abort").then().statusCode(200);
            RolloutEvent manual = next(rollouts);
            assertThat(manual.getStage()).isEqualTo(RolloutStage.ROLLOUT_ABORTED);
            assertThat(manual.getActor()).isEqualTo("ops-anna");
            assertThat(stages()).containsExactly("RETIRED", "CHAMPION", "ABORTED", "ABORTED");
            Response audit = given().get("/api/v1/tasks/ro/delivery");
            assertThat(audit.jsonPath().getList("actions.action")).containsExactly("ABORT", "ABORT");
            assertThat(audit.jsonPath().getList("actions.actor")).containsExactly("automatic", "ops-anna");
            String metrics = given().get("/q/metrics").asString();
            for (Map.Entry<String, Double> t : Map.of("shadow", 3.0, "canary", 2.0, "promoted", 1.0, "aborted", 2.0)
                    .entrySet()) {
                assertThat(PrometheusText.sum(metrics, "finetide_deployment_rollout_transitions_total", "task", "ro",
                        "stage", t.getKey())).as(t.getKey()).isEqualTo(t.getValue());
            }
        }
    }

    /** The next transition on the rollouts topic. */
    private RolloutEvent next(KafkaConsumer<String, byte[]> rollouts) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            announced.addAll(TestKafka.poll(rollouts, Duration.ofMillis(200)));
            return !announced.isEmpty();
        });
        return RolloutEvent.parseFrom(announced.remove(0).value());
    }

    private List<String> labels(int version, List<String> texts) {
        try (Classifier c = Classifier.load(bundles.get(version), 1)) {
            return c.predict(texts).stream().map(Classifier.Prediction::label).toList();
        }
    }

    private static List<String> texts(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + " text number " + i + (i % 3 == 0 ? " was great" : " was not good at all"));
        }
        return out;
    }

    private static Response predict(String text, String key) {
        var request = given().contentType("application/json").body(Map.of("texts", List.of(text)));
        if (key != null) {
            request = request.header(KEY, key);
        }
        Response r = request.post("/api/v1/tasks/ro/predict");
        assertThat(r.statusCode()).isEqualTo(200);
        return r;
    }

    /** Keyed requests until {@code n} are answered by {@code modelId}; feedback on those says it was right or not. */
    private static void answeredBy(String modelId, int n, boolean right) {
        List<String> ids = new ArrayList<>();
        List<String> truth = new ArrayList<>();
        for (int i = 0; ids.size() < n; i++) {
            Response r = predict("feedback request " + modelId + " " + i, "fb-" + modelId + "-" + i);
            if (r.jsonPath().getString("modelId").equals(modelId)) {
                String said = r.jsonPath().getString("predictions[0].label");
                ids.add(r.jsonPath().getString("predictions[0].predictionId"));
                truth.add(right ? said : said.equals("pos") ? "neg" : "pos");
            }
        }
        feedback(ids, truth);
    }

    private static void feedback(List<String> ids, List<String> labels) {
        List<Map<String, String>> body = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            body.add(Map.of("predictionId", ids.get(i), "label", labels.get(i)));
        }
        given().contentType("application/json").body(body).post("/api/v1/tasks/ro/feedback").then().statusCode(202);
    }

    private static double shadowScored(String agreement) {
        return PrometheusText.sum(given().get("/q/metrics").asString(), "finetide_deployment_shadow_predictions_total",
                "task", "ro", "agreement", agreement);
    }

    private static List<String> stages() {
        return given().get("/api/v1/tasks/ro/models").jsonPath().getList("stage");
    }

    private static String served() {
        return given().get("/api/v1/tasks/ro/delivery").jsonPath().getString("servedModelId");
    }
}
