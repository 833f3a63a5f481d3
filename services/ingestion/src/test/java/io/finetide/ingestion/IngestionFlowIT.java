package io.finetide.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.events.Events;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.ExamplesDeletedEvent;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.RawExampleEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The raw topic against a real broker and store: good records flow once, bad ones are dead-lettered with reasons. */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class IngestionFlowIT {

    @Test
    void validRecordsFlowOnceAndInvalidOnesAreDeadLetteredWithReasons() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        given().contentType("application/json")
                .body("{\"name\":\"flow\",\"labels\":[\"neg\",\"pos\"],\"maxTextBytes\":50}")
                .post("/api/v1/tasks").then().statusCode(201);

        String raw = ctx.topic(Topics.EXAMPLES_RAW);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        records.add(json(raw, "{\"id\":\"a\",\"task\":\"flow\",\"text\":\"good film\",\"label\":\"pos\"}"));
        records.add(json(raw, "{\"id\":\"b\",\"task\":\"flow\",\"text\":\"bad film\",\"label\":\"neg\"}"));
        records.add(json(raw, "{\"id\":\"a\",\"task\":\"flow\",\"text\":\"good film\",\"label\":\"pos\"}"));
        records.add(json(raw, "{\"id\":\"u\",\"task\":\"flow\",\"text\":\"no label yet\"}"));
        records.add(json(raw, "{\"id\":\"m\",\"task\":\"flow\",\"text\":"));
        records.add(json(raw, "{\"id\":\"e\",\"task\":\"flow\",\"text\":\"   \",\"label\":\"pos\"}"));
        records.add(json(raw, "{\"id\":\"t\",\"task\":\"nope\",\"text\":\"x\",\"label\":\"pos\"}"));
        records.add(json(raw, "{\"id\":\"l\",\"task\":\"flow\",\"text\":\"x\",\"label\":\"meh\"}"));
        records.add(json(raw, "{\"id\":\"o\",\"task\":\"flow\",\"text\":\"" + "x".repeat(51)
                + "\",\"label\":\"pos\"}"));
        ProducerRecord<String, byte[]> proto = new ProducerRecord<>(raw, null, "p", RawExampleEvent.newBuilder()
                .setId("p").setTask("flow").setText("protobuf works").setLabel("pos").build().toByteArray(),
                List.of(new RecordHeader(Events.CONTENT_TYPE_HEADER,
                        Events.CONTENT_TYPE_PROTOBUF.getBytes(StandardCharsets.UTF_8))));
        records.add(proto);
        try (KafkaProducer<String, byte[]> producer = TestKafka.producer(ctx.bootstrap())) {
            for (ProducerRecord<String, byte[]> r : records) {
                producer.send(r).get();
            }
        }

        List<ConsumerRecord<String, byte[]>> labelled = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> lc = TestKafka.consumerFromStart(ctx.bootstrap(),
                ctx.topic(Topics.EXAMPLES_LABELLED));
                KafkaConsumer<String, byte[]> dc = TestKafka.consumerFromStart(ctx.bootstrap(),
                        ctx.topic(Topics.DEAD_LETTER))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                labelled.addAll(TestKafka.poll(lc, Duration.ofMillis(200)));
                dead.addAll(TestKafka.poll(dc, Duration.ofMillis(200)));
                return labelled.size() >= 3 && dead.size() >= 5;
            });
            // Nothing more arrives: the duplicate and the unlabelled example are not emitted.
            labelled.addAll(TestKafka.poll(lc, Duration.ofSeconds(2)));
            dead.addAll(TestKafka.poll(dc, Duration.ofMillis(200)));
        }
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : labelled) {
            LabelledExampleEvent e = LabelledExampleEvent.parseFrom(r.value());
            assertThat(e.getMeta().getTask()).isEqualTo("flow");
            ids.add(e.getId());
        }
        assertThat(ids).containsExactlyInAnyOrder("a", "b", "p");

        Map<String, String> reasons = dead.stream().collect(Collectors.toMap(
                r -> new String(r.value(), StandardCharsets.UTF_8).replaceAll(".*\"id\":\"(\\w)\".*", "$1"),
                r -> TestKafka.header(r, DeadLetters.REASON)));
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of(
                "m", "MALFORMED_PAYLOAD",
                "e", "EMPTY_TEXT", "t", "UNKNOWN_TASK", "l", "UNKNOWN_LABEL", "o", "TEXT_TOO_LONG"));
        ConsumerRecord<String, byte[]> any = dead.get(0);
        assertThat(TestKafka.header(any, DeadLetters.ORIGINAL_TOPIC)).isEqualTo(raw);
        assertThat(TestKafka.header(any, DeadLetters.ORIGINAL_OFFSET)).isNotNull();
        assertThat(TestKafka.header(any, DeadLetters.MESSAGE)).isNotBlank();

        String metrics = given().get("/q/metrics").asString();
        assertThat(metrics).contains("finetide_ingestion_examples_rejected_total{reason=\"unknown-label\"");
        assertThat(metrics).containsPattern("finetide_ingestion_examples_stored_total\\S* 4\\.0");
        assertThat(metrics).containsPattern("finetide_ingestion_examples_duplicates_total\\S* 1\\.0");
    }

    @Test
    void aSubjectsExamplesAreDeletedAnnouncedAndNotIngestedAgain() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        given().contentType("application/json").body("{\"name\":\"gdpr\",\"labels\":[\"neg\",\"pos\"]}")
                .post("/api/v1/tasks").then().statusCode(201);
        given().contentType("application/json").body("[" + String.join(",",
                "{\"id\":\"g1\",\"task\":\"gdpr\",\"text\":\"one\",\"label\":\"pos\",\"metadata\":{\"customer\":\"c-17\"}}",
                "{\"id\":\"g2\",\"task\":\"gdpr\",\"text\":\"two\",\"label\":\"neg\",\"metadata\":{\"customer\":\"c-17\"}}",
                "{\"id\":\"g3\",\"task\":\"gdpr\",\"text\":\"three\",\"label\":\"neg\",\"metadata\":{\"customer\":\"c-9\"}}",
                "{\"id\":\"g4\",\"task\":\"gdpr\",\"text\":\"four\",\"label\":\"neg\"}") + "]").post("/api/v1/examples")
                .then().statusCode(200).body("accepted", org.hamcrest.Matchers.equalTo(4));

        given().contentType("application/json").body("{\"metadataKey\":\"customer\",\"metadataValue\":\"c-17\","
                + "\"reason\":\"erasure request 42\"}").post("/api/v1/tasks/gdpr/examples/deletions").then()
                .statusCode(200).body("deleted", org.hamcrest.Matchers.equalTo(2)).body("ids", org.hamcrest.Matchers
                        .containsInAnyOrder("g1", "g2"));
        given().delete("/api/v1/tasks/gdpr/examples/g4").then().statusCode(200).body("ids[0]", org.hamcrest.Matchers
                .equalTo("g4"));
        given().delete("/api/v1/tasks/gdpr/examples/g4").then().statusCode(404).body("reason", org.hamcrest.Matchers
                .equalTo("UNKNOWN_EXAMPLE"));
        given().delete("/api/v1/tasks/nope/examples/g4").then().statusCode(422).body("reason", org.hamcrest.Matchers
                .equalTo("UNKNOWN_TASK"));
        given().contentType("application/json").body("{}").post("/api/v1/tasks/gdpr/examples/deletions").then()
                .statusCode(400).body("reason", org.hamcrest.Matchers.equalTo("MISSING_FIELD"));
        // A replay of a deleted example is a duplicate, not a new example.
        given().contentType("application/json").body("{\"id\":\"g1\",\"task\":\"gdpr\",\"text\":\"one\","
                + "\"label\":\"pos\"}").post("/api/v1/examples").then().statusCode(200).body("results[0].status",
                        org.hamcrest.Matchers.equalTo("duplicate"));

        List<ExamplesDeletedEvent> deletions = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                Topics.EXAMPLES_DELETED))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(c, Duration.ofMillis(200))) {
                    deletions.add(ExamplesDeletedEvent.parseFrom(r.value()));
                }
                return deletions.size() >= 2;
            });
        }
        assertThat(deletions.get(0).getIdsList()).containsExactlyInAnyOrder("g1", "g2");
        assertThat(deletions.get(0).getReason()).isEqualTo("erasure request 42");
        assertThat(deletions.get(1).getIdsList()).containsExactly("g4");
        try (var mongo = com.mongodb.client.MongoClients.create(ctx.mongoUri())) {
            var db = mongo.getDatabase(ctx.database());
            assertThat(db.getCollection("examples").countDocuments(com.mongodb.client.model.Filters.eq("task",
                    "gdpr"))).isEqualTo(1);
            // The record of a deletion keeps no text.
            assertThat(db.getCollection("deleted_examples").find().into(new ArrayList<>())).hasSize(3).allSatisfy(
                    d -> assertThat(d).doesNotContainKey("text"));
        }
    }

    private static ProducerRecord<String, byte[]> json(String topic, String value) {
        return new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8));
    }
}
