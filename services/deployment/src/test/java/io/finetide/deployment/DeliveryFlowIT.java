package io.finetide.deployment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
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
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.deployment.openinference.v2.GRPCInferenceServiceGrpc;
import io.finetide.deployment.openinference.v2.ModelReadyRequest;
import io.finetide.deployment.openinference.v2.ServerLiveRequest;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelRolledBackEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * A champion whose live feedback contradicts it is rolled back to its predecessor without failing a request, and
 * admins (only admins) promote, roll back and pin by hand, each action recorded. API keys are on in this class.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = DeliveryFlowIT.WithKeys.class, restrictToAnnotatedClass = true)
class DeliveryFlowIT {

    static final String ADMIN = "admin-key-0123456789";
    static final String PRODUCER = "producer-key-0123456789";

    /**
     * API keys on for this class, which runs in a JVM of its own (see the module's failsafe executions): Quarkus keeps
     * a test resource's settings for the test classes after it.
     */
    public static class WithKeys implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("finetide.security.api-keys", ADMIN + "=admin," + PRODUCER + "=producer");
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void aChampionContradictedByFeedbackIsRolledBackUnderLoadAndAdminsSteerByHand() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> rolledBack = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.MODELS_ROLLED_BACK));
                KafkaConsumer<String, byte[]> promoted = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.MODELS_PROMOTED))) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            for (int v = 1; v <= 3; v++) {
                ServedTasks.store(store, "rb", v, ServedTasks.tinyClassifier(tokenizer, 50 + v));
            }
            ServedTasks.send(p, ctx, ServedTasks.evaluated("rb", 1, true, ""));
            ServedTasks.send(p, ctx, ServedTasks.evaluated("rb", 2, true, "rb-m1"));
            await().atMost(Duration.ofSeconds(60)).until(() -> "rb-m2".equals(served()));

            List<Integer> statuses = new CopyOnWriteArrayList<>();
            Set<String> servedBy = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            Thread load = new Thread(() -> {
                while (!stop.get()) {
                    Response r = as(PRODUCER).contentType("application/json").body("{\"texts\":[\"some text\"]}")
                            .post("/api/v1/tasks/rb/predict");
                    statuses.add(r.statusCode());
                    if (r.statusCode() == 200) {
                        servedBy.add(r.jsonPath().getString("modelId"));
                    }
                }
            });
            load.start();
            // Nineteen contradictions: not enough to judge (the task waits for 20).
            contradict(19);
            await().atMost(Duration.ofSeconds(30)).until(() -> feedbackOn("rb-m2") == 19);
            assertThat(served()).isEqualTo("rb-m2");
            contradict(1);
            await().atMost(Duration.ofSeconds(60)).until(() -> "rb-m1".equals(served()));
            await().atMost(Duration.ofSeconds(30)).until(() -> servedBy.contains("rb-m1"));
            stop.set(true);
            load.join();
            assertThat(statuses).isNotEmpty().allMatch(s -> s == 200);
            assertThat(servedBy).containsExactlyInAnyOrder("rb-m2", "rb-m1");

            ModelRolledBackEvent automatic = ModelRolledBackEvent.parseFrom(next(rolledBack).value());
            assertThat(automatic.getModelId()).isEqualTo("rb-m2");
            assertThat(automatic.getRestoredModelId()).isEqualTo("rb-m1");
            assertThat(automatic.getActor()).isEqualTo("automatic");
            assertThat(automatic.getLiveFeedback()).isEqualTo(20);
            assertThat(automatic.getLiveAccuracy()).isEqualTo(0.0);
            assertThat(automatic.getOfflineAccuracy()).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(automatic.getReason()).contains("below its offline test accuracy 0.7000");
            List<ModelPromotedEvent> promotions = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                TestKafka.poll(promoted, Duration.ofMillis(200)).forEach(r -> promotions.add(parse(r)));
                return promotions.stream().anyMatch(e -> e.getRestoredAfter().equals("rb-m2"));
            });
            assertThat(promotions.get(promotions.size() - 1).getModelId()).isEqualTo("rb-m1");
            Response models = as(PRODUCER).get("/api/v1/tasks/rb/models");
            assertThat(models.jsonPath().getList("stage")).containsExactly("CHAMPION", "ROLLED_BACK");

            // Manual control needs the admin role, and says who and why.
            Map<String, Object> pin = Map.of("pinned", true, "by", "ops-anna", "reason", "audit week");
            given().contentType("application/json").body(pin).put("/api/v1/tasks/rb/delivery/pin").then().statusCode(
                    401);
            as(PRODUCER).contentType("application/json").body(pin).put("/api/v1/tasks/rb/delivery/pin").then()
                    .statusCode(403);
            as(ADMIN).contentType("application/json").body(Map.of("pinned", true)).put("/api/v1/tasks/rb/delivery/pin")
                    .then().statusCode(400).body("reason", equalTo("MISSING_FIELD"));
            as(ADMIN).contentType("application/json").body(pin).put("/api/v1/tasks/rb/delivery/pin").then()
                    .statusCode(200);
            // Pinned: a blessed candidate waits. The rejected verdict after it is the marker that it was handled.
            ServedTasks.send(p, ctx, ServedTasks.evaluated("rb", 3, true, "rb-m1"));
            ServedTasks.send(p, ctx, ServedTasks.evaluated("rb", 4, false, "rb-m1"));
            await().atMost(Duration.ofSeconds(60)).until(() -> as(PRODUCER).get("/api/v1/tasks/rb/models").jsonPath()
                    .getList("stage").size() == 4);
            assertThat(as(PRODUCER).get("/api/v1/tasks/rb/models").jsonPath().getList("stage")).containsExactly(
                    "CHAMPION", "ROLLED_BACK", "CANDIDATE", "REJECTED");
            assertThat(served()).isEqualTo("rb-m1");

            as(PRODUCER).contentType("application/json").body(Map.of("modelId", "rb-m3", "by", "x", "reason", "y"))
                    .post("/api/v1/tasks/rb/delivery/promote").then().statusCode(403);
            as(PRODUCER).contentType("application/json").body(Map.of("by", "x", "reason", "y")).post(
                    "/api/v1/tasks/rb/delivery/abort").then().statusCode(403);
            as(ADMIN).contentType("application/json").body(Map.of("by", "ops-anna", "reason", "nothing to abort"))
                    .post("/api/v1/tasks/rb/delivery/abort").then().statusCode(404).body("reason", equalTo(
                            "NO_ROLLOUT"));
            as(ADMIN).contentType("application/json").body(Map.of("modelId", "rb-m9", "by", "ops-anna", "reason",
                    "try")).post("/api/v1/tasks/rb/delivery/promote").then().statusCode(404).body("reason", equalTo(
                            "NOT_FOUND"));
            as(ADMIN).contentType("application/json").body(Map.of("modelId", "rb-m3", "by", "ops-anna", "reason",
                    "reviewed the report")).post("/api/v1/tasks/rb/delivery/promote").then().statusCode(200).body(
                            "servedModelId", equalTo("rb-m3"));
            as(ADMIN).contentType("application/json").body(Map.of("by", "ops-ben", "reason", "complaints spiked"))
                    .post("/api/v1/tasks/rb/delivery/rollback").then().statusCode(200).body("servedModelId", equalTo(
                            "rb-m1"));
            ModelRolledBackEvent manual = ModelRolledBackEvent.parseFrom(next(rolledBack).value());
            assertThat(manual.getModelId()).isEqualTo("rb-m3");
            assertThat(manual.getActor()).isEqualTo("ops-ben");
            assertThat(manual.getReason()).isEqualTo("complaints spiked");

            Response audit = as(PRODUCER).get("/api/v1/tasks/rb/delivery");
            assertThat(audit.jsonPath().getBoolean("pinned")).isTrue();
            assertThat(audit.jsonPath().getList("actions.action")).containsExactly("ROLLBACK", "PIN", "PROMOTE",
                    "ROLLBACK");
            assertThat(audit.jsonPath().getList("actions.actor")).containsExactly("automatic", "ops-anna",
                    "ops-anna", "ops-ben");
            assertThat(audit.jsonPath().getList("actions.modelId")).containsExactly("rb-m2", "rb-m1", "rb-m3",
                    "rb-m3");
            // The audit log has what the platform did by itself beside the admins' calls, oldest last.
            Response log = as(ADMIN).queryParam("task", "rb").get("/api/v1/audit");
            List<String> byThePlatform = log.jsonPath().getList("findAll { it.actor == 'automatic' }.action");
            assertThat(byThePlatform).containsExactly("ROLLBACK rb-m2", "PROMOTE rb-m2", "PROMOTE rb-m1");
            assertThat(log.jsonPath().getString("find { it.action == 'PROMOTE rb-m2' }.reason")).startsWith(
                    "blessed against rb-m1: ");
            assertThat(log.jsonPath().getString("find { it.action == 'ROLLBACK rb-m2' }.reason")).contains(
                    "below its offline test accuracy 0.7000");
            assertThat(log.jsonPath().getList("findAll { it.actor == 'automatic' }.status")).containsOnly(200);
            String metrics = given().get("/q/metrics").asString();
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_rollbacks_total", "task", "rb", "actor",
                    "automatic")).isEqualTo(1.0);
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_rollbacks_total", "task", "rb", "actor",
                    "admin")).isEqualTo(1.0);
        }
    }

    @Test
    void theGrpcFormOfTheOpenInferenceProtocolNeedsAKeyExceptForHealth() throws Exception {
        io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1",
                io.restassured.RestAssured.port).usePlaintext().build();
        try {
            GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub open = GRPCInferenceServiceGrpc.newBlockingStub(
                    channel);
            assertThat(open.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
            ModelReadyRequest ready = ModelReadyRequest.newBuilder().setName("no-such-model").build();
            assertThatThrownBy(() -> open.modelReady(ready)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            io.grpc.Metadata key = new io.grpc.Metadata();
            key.put(io.grpc.Metadata.Key.of("x-api-key", io.grpc.Metadata.ASCII_STRING_MARSHALLER), PRODUCER);
            assertThat(open.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(key)).modelReady(
                    ready).getReady()).isFalse();
        } finally {
            channel.shutdownNow();
        }
    }

    /** Answers {@code n} fresh predictions of the champion with the other label. */
    private static void contradict(int n) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            texts.add("contradicted " + System.nanoTime() + " " + i);
        }
        Response answered = as(PRODUCER).contentType("application/json").body(Map.of("texts", texts)).post(
                "/api/v1/tasks/rb/predict");
        assertThat(answered.jsonPath().getString("modelId")).isEqualTo("rb-m2");
        List<Map<String, String>> feedback = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String said = answered.jsonPath().getString("predictions[" + i + "].label");
            feedback.add(Map.of("predictionId", answered.jsonPath().getString("predictions[" + i + "].predictionId"),
                    "label", said.equals("pos") ? "neg" : "pos"));
        }
        as(PRODUCER).contentType("application/json").body(feedback).post("/api/v1/tasks/rb/feedback").then()
                .statusCode(202);
    }

    private static int feedbackOn(String modelId) {
        Integer n = as(PRODUCER).get("/api/v1/tasks/rb/live").jsonPath().get("models.find { it.modelId == '" + modelId
                + "' }.feedback");
        return n == null ? 0 : n;
    }

    private static String served() {
        return as(PRODUCER).get("/api/v1/tasks/rb/delivery").jsonPath().getString("servedModelId");
    }

    private static RequestSpecification as(String key) {
        return given().header("X-API-Key", key);
    }

    private static ConsumerRecord<String, byte[]> next(KafkaConsumer<String, byte[]> consumer) {
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            got.addAll(TestKafka.poll(consumer, Duration.ofMillis(200)));
            return !got.isEmpty();
        });
        return got.get(0);
    }

    private static ModelPromotedEvent parse(ConsumerRecord<String, byte[]> r) {
        try {
            return ModelPromotedEvent.parseFrom(r.value());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
