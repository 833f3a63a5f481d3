package io.finetide.deployment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.rollout.CanaryRouting;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.RolloutEvent;
import io.finetide.proto.v1.RolloutStage;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Several replicas share the registry and the topics, but a verdict reaches only one of them: the others follow the
 * promotions topic. Here another replica is played by hand: it records a champion in the shared registry and
 * announces it, and this replica must serve it; an old promotion replayed must not bring its model back. Likewise
 * for a rollout another replica moved on: this one serves the canary, for the keys the shared hash gives it.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class ReplicasIT {

    @jakarta.inject.Inject
    RegistryService registry;

    @Test
    void aReplicaServesTheChampionAnotherReplicaPromotedAndIgnoresAReplayedOlderPromotion() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            for (int v = 1; v <= 3; v++) {
                ServedTasks.store(store, "rp", v, ServedTasks.tinyClassifier(tokenizer, 60 + v));
            }
            ServedTasks.send(p, ctx, ServedTasks.evaluated("rp", 1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> "rp-m1".equals(served("rp")));

            // The other replica's promotion of rp-m2: its registry writes, then its announcement.
            MongoCollection<Document> models = client.getDatabase(ctx.database()).getCollection(
                    ModelRecord.COLLECTION);
            ModelRecord second = new ModelRecord("rp-m2", "rp", 2, "rp-v2", "rp-m1", "models/rp/rp-m2.zip", "", 0.8,
                    10, 1, ModelRecord.CHAMPION, 0.8, 0.8, "better", 1L, 2L, null, null, null, null);
            promotedElsewhere(models, p, ctx, second, "rp-m1");
            await().atMost(Duration.ofSeconds(60)).until(() -> "rp-m2".equals(served("rp")));

            // A replay of rp-m1's promotion and rp-m2's promotion under another task's name (a forged or corrupted
            // record), then a marker: a third task's champion, announced after them.
            ModelRecord first = ModelRecord.fromDocument(models.find(Filters.eq("_id", "rp-m1")).first());
            announce(p, ctx, first);
            var forged = RegistryService.promotion(second, "");
            forged.setMeta(forged.getMeta().toBuilder().setTask("rpx"));
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "rp", forged.build().toByteArray())).get();
            ServedTasks.store(store, "rq", 1, ServedTasks.tinyClassifier(tokenizer, 70));
            ModelRecord marker = new ModelRecord("rq-m1", "rq", 1, "rq-v1", "", "models/rq/rq-m1.zip", "", 0.8, 10,
                    1, ModelRecord.CHAMPION, 0.8, 0.8, "first", 1L, 2L, null, null, null, null);
            models.insertOne(marker.toDocument());
            // Same partition as the replay (the topic's partitions follow the key): announce the marker under rp's key.
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "rp", RegistryService.promotion(marker, "")
                    .build().toByteArray())).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> "rq-m1".equals(served("rq")));
            assertThat(served("rp")).isEqualTo("rp-m2");
            // The forged promotion was refused, with its reason, not loaded again.
            try (KafkaConsumer<String, byte[]> dead = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                    Topics.DEAD_LETTER))) {
                List<ConsumerRecord<String, byte[]>> refused = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    TestKafka.poll(dead, Duration.ofMillis(200)).stream().filter(r -> ctx.topic(
                            Topics.MODELS_PROMOTED).equals(TestKafka.header(r, DeadLetters.ORIGINAL_TOPIC))).forEach(
                                    refused::add);
                    return !refused.isEmpty();
                });
                assertThat(refused).singleElement().satisfies(r -> {
                    assertThat(TestKafka.header(r, DeadLetters.REASON)).isEqualTo("UNKNOWN_TASK");
                    assertThat(TestKafka.header(r, DeadLetters.MESSAGE)).contains("rp-m2", "'rpx'", "'rp'");
                });
            }
        }
    }

    /**
     * A restarted replica reads the registry's champions, then loads them for seconds; another replica's promotion
     * that arrives meanwhile is served at once, and the champion read before it must not be swapped back over it
     * when its load ends (the chaos campaign once found a restarted instance serving the replaced champion).
     */
    @Test
    void aChampionReadBeforeALaterPromotionDoesNotReplaceItWhenItHasLoaded() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            for (int v = 1; v <= 2; v++) {
                ServedTasks.store(store, "rs", v, ServedTasks.tinyClassifier(tokenizer, 90 + v));
            }
            ServedTasks.send(p, ctx, ServedTasks.evaluated("rs", 1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> "rs-m1".equals(served("rs")));
            java.util.List<ModelRecord> readAtStartup = registry.models("rs").stream().filter(m -> m.stage().equals(
                    ModelRecord.CHAMPION)).toList();
            assertThat(readAtStartup).extracting(ModelRecord::modelId).containsExactly("rs-m1");

            MongoCollection<Document> models = client.getDatabase(ctx.database()).getCollection(
                    ModelRecord.COLLECTION);
            ModelRecord second = new ModelRecord("rs-m2", "rs", 2, "rs-v2", "rs-m1", "models/rs/rs-m2.zip", "", 0.8,
                    10, 1, ModelRecord.CHAMPION, 0.8, 0.8, "better", 1L, 2L, null, null, null, null);
            promotedElsewhere(models, p, ctx, second, "rs-m1");
            await().atMost(Duration.ofSeconds(60)).until(() -> "rs-m2".equals(served("rs")));

            registry.loadChampions(readAtStartup);
            assertThat(served("rs")).isEqualTo("rs-m2");
        }
    }

    @Test
    void aReplicaFollowsARolloutAnotherReplicaDecidedAndSplitsCanaryTrafficByTheSameHash() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            for (int v = 1; v <= 2; v++) {
                ServedTasks.store(store, "rr", v, ServedTasks.tinyClassifier(tokenizer, 80 + v));
            }
            ServedTasks.send(p, ctx, ServedTasks.evaluated("rr", 1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> "rr-m1".equals(served("rr")));

            // The other replica moved rr-m2 into canary: its registry write, then its announcement.
            MongoCollection<Document> models = client.getDatabase(ctx.database()).getCollection(
                    ModelRecord.COLLECTION);
            models.insertOne(new ModelRecord("rr-m2", "rr", 2, "rr-v2", "rr-m1", "models/rr/rr-m2.zip", "", 0.8, 10, 1,
                    ModelRecord.CANARY, 0.8, 0.8, "better", 1L, null, null, null, null, null).toDocument());
            rollout(p, ctx, RolloutStage.ROLLOUT_CANARY);
            int inCanary = 0;
            while (!CanaryRouting.toCanary("rr", "user-" + inCanary, 0.25)) {
                inCanary++;
            }
            String canaryKey = "user-" + inCanary;
            await().atMost(Duration.ofSeconds(60)).until(() -> "rr-m2".equals(served("rr", canaryKey)));
            // Every replica computes the same split: each key gets the model its hash says.
            for (int i = 0; i < 200; i++) {
                assertThat(served("rr", "user-" + i)).as("user-" + i).isEqualTo(CanaryRouting.toCanary("rr", "user-"
                        + i, 0.25) ? "rr-m2" : "rr-m1");
            }

            models.updateOne(Filters.eq("_id", "rr-m2"), Updates.set("stage", ModelRecord.ABORTED));
            rollout(p, ctx, RolloutStage.ROLLOUT_ABORTED);
            await().atMost(Duration.ofSeconds(60)).until(() -> "rr-m1".equals(served("rr", canaryKey)));
            given().get("/api/v1/tasks/rr/delivery/rollout").then().statusCode(404);
        }
    }

    private static void rollout(KafkaProducer<String, byte[]> p, FinetideTestResource.Context ctx,
            RolloutStage stage) throws Exception {
        RolloutEvent e = RolloutEvent.newBuilder().setMeta(Events.meta("rr")).setModelId("rr-m2").setChampionModelId(
                "rr-m1").setStage(stage).setCanaryShare(0.25).setActor("automatic").setReason("by the other replica")
                .build();
        p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_ROLLOUTS), "rr", e.toByteArray())).get();
    }

    private static String served(String task, String key) {
        return given().header(CanaryRouting.HEADER, key).contentType("application/json").body(
                "{\"texts\":[\"x\"]}").post("/api/v1/tasks/" + task + "/predict").jsonPath().getString("modelId");
    }

    /** Another replica's promotion of {@code next}: its registry writes (retiring {@code previous}), then its word. */
    private static void promotedElsewhere(MongoCollection<Document> models, KafkaProducer<String, byte[]> p,
            FinetideTestResource.Context ctx, ModelRecord next, String previous) throws Exception {
        models.insertOne(next.toDocument());
        models.updateOne(Filters.eq("_id", previous), Updates.set("stage", ModelRecord.RETIRED));
        announce(p, ctx, next);
    }

    private static void announce(KafkaProducer<String, byte[]> p, FinetideTestResource.Context ctx, ModelRecord m)
            throws Exception {
        p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), m.task(), RegistryService.promotion(m, "")
                .build().toByteArray())).get();
    }

    private static String served(String task) {
        return given().contentType("application/json").body("{\"texts\":[\"x\"]}").post("/api/v1/tasks/" + task
                + "/predict").jsonPath().getString("modelId");
    }
}
