package io.finetide.deployment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

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
import io.finetide.deployment.store.ModelRecord;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.topics.Topics;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Several replicas share the registry and the topics, but a verdict reaches only one of them: the others follow the
 * promotions topic. Here another replica is played by hand: it records a champion in the shared registry and
 * announces it, and this replica must serve it; an old promotion replayed must not bring its model back.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class ReplicasIT {

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
                    10, 1, ModelRecord.CHAMPION, 0.8, 0.8, "better", 1L, 2L, null);
            models.insertOne(second.toDocument());
            models.updateOne(Filters.eq("_id", "rp-m1"), Updates.set("stage", ModelRecord.RETIRED));
            announce(p, ctx, second);
            await().atMost(Duration.ofSeconds(60)).until(() -> "rp-m2".equals(served("rp")));

            // A replay of rp-m1's promotion, then a marker: a third task's champion, announced after it.
            ModelRecord first = ModelRecord.fromDocument(models.find(Filters.eq("_id", "rp-m1")).first());
            announce(p, ctx, first);
            ServedTasks.store(store, "rq", 1, ServedTasks.tinyClassifier(tokenizer, 70));
            ModelRecord marker = new ModelRecord("rq-m1", "rq", 1, "rq-v1", "", "models/rq/rq-m1.zip", "", 0.8, 10,
                    1, ModelRecord.CHAMPION, 0.8, 0.8, "first", 1L, 2L, null);
            models.insertOne(marker.toDocument());
            // Same partition as the replay (the topic's partitions follow the key): announce the marker under rp's key.
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "rp", RegistryService.promotion(marker, "")
                    .build().toByteArray())).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> "rq-m1".equals(served("rq")));
            assertThat(served("rp")).isEqualTo("rp-m2");
        }
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
