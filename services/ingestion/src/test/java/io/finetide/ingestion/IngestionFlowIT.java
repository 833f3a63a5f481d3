package io.finetide.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.events.Events;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.ExamplesDeletedEvent;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.RawExampleEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
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
        double storedBefore = counter("finetide_ingestion_examples_stored_total");
        double duplicatesBefore = counter("finetide_ingestion_examples_duplicates_total");
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
        // The marker: the topic has one partition and ingestion keeps its order, so once this last record is out,
        // whatever the earlier ones were to emit is out too.
        records.add(json(raw, "{\"id\":\"z\",\"task\":\"flow\",\"text\":\"the marker\",\"label\":\"neg\"}"));
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
            // Other tests of this class share the topics: keep this test's records only.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                labelled.addAll(ofThisTest(TestKafka.poll(lc, Duration.ofMillis(200))));
                dead.addAll(ofThisTest(TestKafka.poll(dc, Duration.ofMillis(200))));
                return labelled.stream().anyMatch(IngestionFlowIT::isMarker) && dead.size() >= 5;
            });
        }
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : labelled) {
            LabelledExampleEvent e = LabelledExampleEvent.parseFrom(r.value());
            assertThat(e.getMeta().getTask()).isEqualTo("flow");
            ids.add(e.getId());
        }
        // The duplicate and the unlabelled example were not emitted before the marker.
        assertThat(ids).containsExactlyInAnyOrder("a", "b", "p", "z");

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

        // The batch's offsets are committed by the transaction that holds its dead letters (the channel's own
        // commits are off): the group's committed offset reaches the topic's end.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrap()))) {
            TopicPartition partition = new TopicPartition(raw, 0);
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get()
                    .offset();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets("finetide-ingestion")
                        .partitionsToOffsetAndMetadata().get().get(partition);
                return committed != null && committed.offset() == end;
            });
        }

        String metrics = given().get("/q/metrics").asString();
        assertThat(PrometheusText.sum(metrics, "finetide_ingestion_examples_rejected_total", "reason",
                "unknown-label", "source", "kafka")).isEqualTo(1.0);
        // Every dead letter is counted by service and reason.
        assertThat(PrometheusText.sum(metrics, "finetide_deadletters_total", "application", "finetide-ingestion",
                "reason", "unknown-label")).isEqualTo(1.0);
        // a, b, u, p and the marker.
        assertThat(counter("finetide_ingestion_examples_stored_total") - storedBefore).isEqualTo(5.0);
        assertThat(counter("finetide_ingestion_examples_duplicates_total") - duplicatesBefore).isEqualTo(1.0);
    }

    @Test
    void personalDataIsRedactedBeforeStoringAndDuplicatesOfEveryKindAreCounted() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        given().contentType("application/json").body("{\"name\":\"priv\",\"labels\":[\"neg\",\"pos\"],"
                + "\"privacy\":{\"redactPii\":true},\"dedup\":{\"nearDuplicateMaxDistance\":10}}")
                .post("/api/v1/tasks").then().statusCode(201);
        String late = "the delivery arrived two days late and the box was damaged when it got here";
        io.restassured.response.Response r = given().contentType("application/json").body(JSON.writeValueAsString(
                List.of(Map.of("id", "p1", "task", "priv", "label", "neg", "text",
                        "Please refund jane.doe@example.com, card 4111 1111 1111 1111"),
                        Map.of("id", "p2", "task", "priv", "label", "neg", "text",
                                "please REFUND j.smith@example.org card 5500-0000-0000-0004!!"),
                        Map.of("id", "p3", "task", "priv", "label", "neg", "text", late),
                        Map.of("id", "p4", "task", "priv", "label", "neg", "text", late.replace("was damaged",
                                "was badly damaged")),
                        Map.of("id", "p5", "task", "priv", "label", "pos", "text", "call me on +44 20 7946 0958 "
                                + "about order 12345678 from 2024-05-01"),
                        Map.of("id", "p1", "task", "priv", "label", "neg", "text", "anything"))))
                .post(
                        "/api/v1/examples");
        r.then().statusCode(200);
        assertThat(r.jsonPath().getList("results.status")).containsExactly("stored", "duplicate", "stored",
                "duplicate", "stored", "duplicate");
        assertThat(r.jsonPath().getList("results.reason")).containsExactly(null, "SAME_CONTENT", null,
                "NEAR_DUPLICATE", null, "SAME_ID");
        assertThat(r.jsonPath().getString("results[1].message")).contains("'p1'");

        try (var mongo = com.mongodb.client.MongoClients.create(ctx.mongoUri())) {
            var examples = mongo.getDatabase(ctx.database()).getCollection("examples");
            var p1 = examples.find(com.mongodb.client.model.Filters.eq("_id", "priv/p1")).first();
            assertThat(p1.getString("text")).isEqualTo("Please refund [EMAIL], card [CARD]");
            assertThat(p1.get("redactions", org.bson.Document.class)).containsEntry("email", 1).containsEntry("card",
                    1);
            var p5 = examples.find(com.mongodb.client.model.Filters.eq("_id", "priv/p5")).first();
            assertThat(p5.getString("text")).isEqualTo("call me on [PHONE] about order 12345678 from 2024-05-01");
            assertThat(examples.find(com.mongodb.client.model.Filters.eq("task", "priv")).into(new ArrayList<>()))
                    .hasSize(3).allSatisfy(d -> assertThat(d.getString("text")).doesNotContain("@", "4111", "7946"));
        }
        List<LabelledExampleEvent> emitted = labelled(ctx, "priv", 3);
        assertThat(emitted).extracting(LabelledExampleEvent::getText).containsExactlyInAnyOrder(
                "Please refund [EMAIL], card [CARD]", late, "call me on [PHONE] about order 12345678 from 2024-05-01");
        String metrics = given().get("/q/metrics").asString();
        assertThat(PrometheusText.sum(metrics, "finetide_ingestion_pii_redacted_total", "type", "email"))
                .isPositive();
        assertThat(PrometheusText.sum(metrics, "finetide_ingestion_examples_duplicates_total", "kind", "near"))
                .isPositive();
    }

    @Test
    void textPairsAreCheckedRedactedAndDeduplicatedAsPairs() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        given().contentType("application/json").body("{\"name\":\"pairs\",\"type\":\"TEXT_PAIR_CLASSIFICATION\","
                + "\"labels\":[\"no\",\"yes\"],\"privacy\":{\"redactPii\":true}}").post("/api/v1/tasks").then()
                .statusCode(201);
        given().contentType("application/json").body("{\"name\":\"singles\",\"labels\":[\"no\",\"yes\"]}")
                .post("/api/v1/tasks").then().statusCode(201);
        String question = "is my refund on its way";
        List<Map<String, String>> items = List.of(
                Map.of("id", "q1", "task", "pairs", "text", question, "textPair",
                        "write to jane.doe@example.com about refunds", "label", "yes"),
                // The same first text with another second text is another example.
                Map.of("id", "q2", "task", "pairs", "text", question, "textPair", "opening hours are nine to five",
                        "label", "no"),
                // Words moved from one text to the other make another pair too.
                Map.of("id", "q3", "task", "pairs", "text", "refund policy", "textPair", "thirty days", "label",
                        "yes"),
                Map.of("id", "q4", "task", "pairs", "text", "refund", "textPair", "policy thirty days", "label", "yes"),
                Map.of("id", "q5", "task", "pairs", "text", "Is my REFUND on its way?", "textPair",
                        "write to jane.doe@example.com about refunds", "label", "yes"),
                Map.of("id", "q6", "task", "pairs", "text", question, "label", "yes"),
                Map.of("id", "q7", "task", "pairs", "text", question, "textPair", "  ", "label", "yes"),
                Map.of("id", "q8", "task", "singles", "text", question, "textPair", "a second text", "label", "yes"));
        io.restassured.response.Response r = given().contentType("application/json").body(JSON.writeValueAsString(
                items)).post("/api/v1/examples");
        r.then().statusCode(200);
        assertThat(r.jsonPath().getList("results.status")).containsExactly("stored", "stored", "stored", "stored",
                "duplicate", "rejected", "rejected", "rejected");
        assertThat(r.jsonPath().getList("results.reason")).containsExactly(null, null, null, null, "SAME_CONTENT",
                "MISSING_FIELD", "EMPTY_TEXT", "MALFORMED_PAYLOAD");
        assertThat(r.jsonPath().getString("results[5].message")).contains("'textPair'");

        List<LabelledExampleEvent> emitted = labelled(ctx, "pairs", 4);
        Map<String, String> pairs = emitted.stream().collect(Collectors.toMap(LabelledExampleEvent::getId,
                e -> e.getText() + " | " + e.getTextPair()));
        assertThat(pairs).containsExactlyInAnyOrderEntriesOf(Map.of("q1", question
                + " | write to [EMAIL] about refunds", "q2", question + " | opening hours are nine to five", "q3",
                "refund policy | thirty days", "q4", "refund | policy thirty days"));
    }

    @Test
    void generationExamplesAreCheckedRedactedAndDeduplicatedWithTheirCompletions() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        storeUploadedBase(ctx, "tiny-gpt2", "transformer-decoder");
        given().contentType("application/json").body("{\"name\":\"writer\",\"type\":\"TEXT_GENERATION\","
                + "\"labels\":[\"x\",\"y\"],\"model\":{\"baseModel\":\"user/tiny-gpt2\"}}").post("/api/v1/tasks")
                .then().statusCode(422).body("message", org.hamcrest.Matchers.containsString(
                        "labels: a TEXT_GENERATION task has none"));
        given().contentType("application/json").body("{\"name\":\"writer\",\"type\":\"TEXT_GENERATION\","
                + "\"model\":{\"baseModel\":\"minilm-l6\"}}").post("/api/v1/tasks").then().statusCode(422).body(
                        "message", org.hamcrest.Matchers.containsString("uploaded GPT-2 base"));
        given().contentType("application/json").body("{\"name\":\"writer\",\"type\":\"TEXT_GENERATION\","
                + "\"model\":{\"baseModel\":\"user/tiny-gpt2\"},\"privacy\":{\"redactPii\":true}}").post(
                        "/api/v1/tasks")
                .then().statusCode(201).body("evaluation.generationMetric", equalTo("ROUGE_L")).body(
                        "evaluation.generationMaxNewTokens", equalTo(64));
        String prompt = "Summarise: the parcel left the depot on Monday and arrives Thursday.";
        List<Map<String, String>> items = List.of(
                Map.of("id", "g1", "task", "writer", "prompt", prompt, "completion",
                        "Arrives Thursday; questions to jane.doe@example.com"),
                // The same prompt with another completion is another reference, not a duplicate.
                Map.of("id", "g2", "task", "writer", "prompt", prompt, "completion", "Parcel due on Thursday."),
                Map.of("id", "g3", "task", "writer", "prompt", prompt, "completion", "Parcel due on Thursday."),
                Map.of("id", "g4", "task", "writer", "prompt", prompt),
                Map.of("id", "g5", "task", "writer", "prompt", prompt, "completion", " "),
                Map.of("id", "g6", "task", "writer", "text", prompt, "completion", "x"),
                Map.of("id", "g7", "task", "writer", "prompt", prompt, "completion", "x", "label", "y"),
                Map.of("id", "g8", "task", "plain", "text", prompt, "completion", "x", "label", "yes"));
        given().contentType("application/json").body("{\"name\":\"plain\",\"labels\":[\"no\",\"yes\"]}")
                .post("/api/v1/tasks").then().statusCode(201);
        io.restassured.response.Response r = given().contentType("application/json").body(JSON.writeValueAsString(
                items)).post("/api/v1/examples");
        r.then().statusCode(200);
        assertThat(r.jsonPath().getList("results.status")).containsExactly("stored", "stored", "duplicate",
                "rejected", "rejected", "rejected", "rejected", "rejected");
        assertThat(r.jsonPath().getList("results.reason")).containsExactly(null, null, "SAME_CONTENT",
                "MISSING_FIELD", "EMPTY_TEXT", "MALFORMED_PAYLOAD", "MALFORMED_PAYLOAD", "MALFORMED_PAYLOAD");
        assertThat(r.jsonPath().getString("results[5].message")).contains("'prompt', not 'text'");
        // Completions arrive with their examples: a late label is refused with the reason.
        given().contentType("application/json").body("{\"task\":\"writer\",\"id\":\"g1\",\"label\":\"other\"}")
                .post("/api/v1/labels").then().statusCode(400).body("message", org.hamcrest.Matchers.containsString(
                        "carry their completions"));

        List<LabelledExampleEvent> emitted = labelled(ctx, "writer", 2);
        Map<String, String> written = emitted.stream().collect(Collectors.toMap(LabelledExampleEvent::getId,
                e -> e.getText() + " => " + e.getLabel()));
        assertThat(written).containsExactlyInAnyOrderEntriesOf(Map.of("g1", prompt
                + " => Arrives Thursday; questions to [EMAIL]", "g2", prompt + " => Parcel due on Thursday."));
    }

    @Test
    void sequenceToSequenceExamplesGiveInputAndTargetAndTravelAsTextAndLabel() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        storeUploadedBase(ctx, "tiny-t5", "transformer-encoder-decoder");
        given().contentType("application/json").body("{\"name\":\"rewriter\",\"type\":\"SEQ2SEQ\","
                + "\"model\":{\"baseModel\":\"user/tiny-gpt2-absent\"}}").post("/api/v1/tasks").then().statusCode(422)
                .body("message", org.hamcrest.Matchers.containsString("a SEQ2SEQ task is written by an uploaded T5"));
        given().contentType("application/json").body("{\"name\":\"rewriter\",\"type\":\"SEQ2SEQ\","
                + "\"model\":{\"baseModel\":\"user/tiny-t5\"},\"privacy\":{\"redactPii\":true}}").post(
                        "/api/v1/tasks")
                .then().statusCode(201).body("type", equalTo("SEQ2SEQ")).body("model.architecture", equalTo(
                        "transformer-encoder-decoder"));
        given().contentType("application/json").body("{\"name\":\"plain-s\",\"labels\":[\"no\",\"yes\"]}")
                .post("/api/v1/tasks").then().statusCode(201);
        String input = "Rewrite politely: send me the invoice now, write to jane.doe@example.com";
        List<Map<String, String>> items = List.of(
                Map.of("id", "s1", "task", "rewriter", "input", input, "target",
                        "Could you send the invoice to jane.doe@example.com, please?"),
                Map.of("id", "s2", "task", "rewriter", "input", input, "target",
                        "Could you send the invoice to jane.doe@example.com, please?"),
                Map.of("id", "s3", "task", "rewriter", "input", input),
                Map.of("id", "s4", "task", "rewriter", "prompt", input, "completion", "x"),
                Map.of("id", "s5", "task", "rewriter", "text", input, "target", "x"),
                Map.of("id", "s6", "task", "plain-s", "text", input, "target", "x", "label", "yes"));
        io.restassured.response.Response r = given().contentType("application/json").body(JSON.writeValueAsString(
                items)).post("/api/v1/examples");
        r.then().statusCode(200);
        assertThat(r.jsonPath().getList("results.status")).containsExactly("stored", "duplicate", "rejected",
                "rejected", "rejected", "rejected");
        assertThat(r.jsonPath().getList("results.reason")).containsExactly(null, "SAME_CONTENT", "MISSING_FIELD",
                "MALFORMED_PAYLOAD", "MALFORMED_PAYLOAD", "MALFORMED_PAYLOAD");
        assertThat(r.jsonPath().getString("results[2].message")).contains("give 'input' and 'target'");
        assertThat(r.jsonPath().getString("results[3].message")).contains("not tokens, tags, textPair, label, prompt "
                + "or completion");
        assertThat(r.jsonPath().getString("results[4].message")).contains("'input', not 'text'");
        assertThat(r.jsonPath().getString("results[5].message")).contains("input and target are for "
                + "sequence-to-sequence tasks");
        given().contentType("application/json").body("{\"task\":\"rewriter\",\"id\":\"s1\",\"label\":\"other\"}")
                .post("/api/v1/labels").then().statusCode(400).body("message", org.hamcrest.Matchers.containsString(
                        "carry their targets"));
        List<LabelledExampleEvent> emitted = labelled(ctx, "rewriter", 1);
        assertThat(emitted).singleElement().satisfies(e -> {
            assertThat(e.getText()).isEqualTo("Rewrite politely: send me the invoice now, write to [EMAIL]");
            assertThat(e.getLabel()).isEqualTo("Could you send the invoice to [EMAIL], please?");
        });
    }

    /**
     * What the training service stores for an uploaded folder, which task validation reads: the folder with its shape
     * (2 layers, 16 wide), then its tokenizer.
     */
    private static void storeUploadedBase(FinetideTestResource.Context ctx, String name, String architecture) {
        try (com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(ctx.mongoUri())) {
            io.finetide.platform.store.ArtifactStore store = new io.finetide.platform.store.ArtifactStore(client
                    .getDatabase(ctx.artifactsDatabase()));
            store.putOnce(io.finetide.platform.store.BaseModelArtifacts.folder(name), new byte[]{1},
                    new org.bson.Document(io.finetide.platform.store.BaseModelArtifacts.NAME, name).append(
                            io.finetide.platform.store.BaseModelArtifacts.LAYERS, 2).append(
                                    io.finetide.platform.store.BaseModelArtifacts.HIDDEN_SIZE, 16)
                            .append(io.finetide.platform.store.BaseModelArtifacts.HEADS, 2).append(
                                    io.finetide.platform.store.BaseModelArtifacts.FFN_SIZE, 64)
                            .append(io.finetide.platform.store.BaseModelArtifacts.ARCHITECTURE, architecture));
            store.putOnce(io.finetide.platform.store.BaseModelArtifacts.tokenizer(name), new byte[]{2},
                    new org.bson.Document());
        }
    }

    /** The task's labelled examples on the topic, read from the start until there are {@code atLeast}. */
    private static List<LabelledExampleEvent> labelled(FinetideTestResource.Context ctx, String task, int atLeast) {
        List<LabelledExampleEvent> emitted = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                Topics.EXAMPLES_LABELLED))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> rec : TestKafka.poll(c, Duration.ofMillis(200))) {
                    LabelledExampleEvent e = LabelledExampleEvent.parseFrom(rec.value());
                    if (e.getMeta().getTask().equals(task)) {
                        emitted.add(e);
                    }
                }
                return emitted.size() >= atLeast;
            });
        }
        return emitted;
    }

    @Test
    void lateLabelsReleaseUnlabelledExamplesOnceAndKeepTheirHistory() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        given().contentType("application/json").body("{\"name\":\"late\",\"labels\":[\"neg\",\"pos\"]}")
                .post("/api/v1/tasks").then().statusCode(201);
        given().contentType("application/json").body("[{\"id\":\"u1\",\"task\":\"late\",\"text\":\"first\"},"
                + "{\"id\":\"u2\",\"task\":\"late\",\"text\":\"second\"}]").post("/api/v1/examples").then()
                .statusCode(200).body("accepted", equalTo(2));
        String u1 = "{\"task\":\"late\",\"id\":\"u1\",\"label\":\"pos\",\"annotator\":\"ann-1\"}";
        given().contentType("application/json").body(u1).post("/api/v1/labels").then().statusCode(200).body("status",
                equalTo("labelled"));
        given().contentType("application/json").body(u1).post("/api/v1/labels").then().statusCode(200).body("status",
                equalTo("duplicate"));
        given().contentType("application/json").body(u1.replace("pos", "neg").replace("ann-1", "ann-2")).post(
                "/api/v1/labels").then().statusCode(200).body("status", equalTo("conflict"));
        given().contentType("application/json").body("{\"task\":\"late\",\"id\":\"nope\",\"label\":\"pos\"}")
                .post("/api/v1/labels").then().statusCode(404).body("reason", equalTo("UNKNOWN_EXAMPLE"));
        given().contentType("application/json").body("[{\"task\":\"late\",\"id\":\"u2\",\"label\":\"meh\"},"
                + "{\"task\":\"late\",\"id\":\"u2\"}]").post("/api/v1/labels").then().statusCode(200).body(
                        "reason", org.hamcrest.Matchers.contains("UNKNOWN_LABEL", "MISSING_FIELD"));
        given().get("/api/v1/tasks/late/examples/u1/labels").then().statusCode(200)
                .body("outcome", org.hamcrest.Matchers
                        .contains("LABELLED", "DUPLICATE", "CONFLICT"))
                .body("annotator", org.hamcrest.Matchers.contains("ann-1",
                        "ann-1", "ann-2"));

        // The labels topic: one for u2 from a labeling tool, one for an unknown id, one that is not UTF-8.
        String labels = ctx.topic(Topics.LABELS);
        try (KafkaProducer<String, byte[]> producer = TestKafka.producer(ctx.bootstrap())) {
            producer.send(json(labels, "{\"task\":\"late\",\"id\":\"u2\",\"label\":\"neg\",\"annotator\":"
                    + "\"rules\"}")).get();
            producer.send(json(labels, "{\"task\":\"late\",\"id\":\"ghost\",\"label\":\"neg\"}")).get();
            producer.send(new ProducerRecord<>(labels, null, "bad-utf8", new byte[]{'{', '"', (byte) 0xC3, (byte) 0x28,
                    '"', '}'})).get();
        }
        List<LabelledExampleEvent> released = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> lc = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                Topics.EXAMPLES_LABELLED));
                KafkaConsumer<String, byte[]> dc = TestKafka.consumerFromStart(ctx
                        .bootstrap(), ctx.topic(Topics.DEAD_LETTER))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(lc, Duration.ofMillis(200))) {
                    if ("late".equals(r.key())) {
                        released.add(LabelledExampleEvent.parseFrom(r.value()));
                    }
                }
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(dc, Duration.ofMillis(200))) {
                    if (labels.equals(TestKafka.header(r, DeadLetters.ORIGINAL_TOPIC))) {
                        dead.add(r);
                    }
                }
                return released.size() >= 2 && dead.size() >= 2;
            });
        }
        assertThat(released).extracting(e -> e.getId() + "=" + e.getLabel()).containsExactly("u1=pos", "u2=neg");
        assertThat(dead).extracting(r -> TestKafka.header(r, DeadLetters.REASON)).containsExactly("UNKNOWN_EXAMPLE",
                "INVALID_UTF8");
    }

    @Test
    void tenThousandMixedRecordsAreAllAccountedFor() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        given().contentType("application/json").body("{\"name\":\"acct\",\"labels\":[\"neg\",\"pos\"],"
                + "\"maxTextBytes\":200}").post("/api/v1/tasks").then().statusCode(201);
        double[] before = {counter("finetide_ingestion_examples_received_total"), counter(
                "finetide_ingestion_examples_stored_total"), counter("finetide_ingestion_examples_duplicates_total"),
                counter("finetide_ingestion_examples_rejected_total"), counter(
                        "finetide_ingestion_examples_emitted_total")};
        java.util.Random random = new java.util.Random(11);
        String raw = ctx.topic(Topics.EXAMPLES_RAW);
        int stored = 0, unlabelled = 0, duplicates = 0, rejected = 0, next = 0;
        List<String> texts = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = TestKafka.producer(ctx.bootstrap())) {
            for (int i = 0; i < 10_000; i++) {
                int kind = random.nextInt(100);
                Map<String, Object> record = new java.util.LinkedHashMap<>();
                if (kind < 8 && next > 0) {
                    // A replay of an earlier record.
                    int j = random.nextInt(next);
                    record.putAll(Map.of("id", "x" + j, "task", "acct", "text", texts.get(j), "label", "pos"));
                    duplicates++;
                } else if (kind < 13 && next > 0) {
                    // The same text as an earlier record, under a new id and in other case and punctuation.
                    String t = texts.get(random.nextInt(next)).toUpperCase() + "!";
                    record.putAll(Map.of("id", "c" + i, "task", "acct", "text", t, "label", "neg"));
                    duplicates++;
                } else if (kind < 16) {
                    producer.send(json(raw, "{\"id\":\"m" + i + "\",\"task\":\"acct\",\"text\":"));
                    rejected++;
                    continue;
                } else if (kind < 19) {
                    record.putAll(Map.of("id", "e" + i, "task", "acct", "text", " \t ", "label", "pos"));
                    rejected++;
                } else if (kind < 22) {
                    record.putAll(Map.of("id", "l" + i, "task", "acct", "text", "fine " + i, "label", "meh"));
                    rejected++;
                } else if (kind < 24) {
                    record.putAll(Map.of("id", "t" + i, "task", "nope", "text", "fine " + i, "label", "pos"));
                    rejected++;
                } else if (kind < 26) {
                    record.putAll(Map.of("id", "o" + i, "task", "acct", "text", "long ".repeat(60) + i, "label",
                            "pos"));
                    rejected++;
                } else {
                    String t = "review " + next + " " + WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random
                            .nextInt(WORDS.length)];
                    boolean labelled = kind >= 29;
                    record.putAll(Map.of("id", "x" + next, "task", "acct", "text", t));
                    if (labelled) {
                        record.put("label", "pos");
                    } else {
                        unlabelled++;
                    }
                    texts.add(t);
                    next++;
                    stored++;
                }
                producer.send(json(raw, JSON.writeValueAsString(record)));
            }
            producer.flush();
        }
        int expectedStored = stored, expectedDuplicates = duplicates, expectedRejected = rejected;
        await().atMost(Duration.ofMinutes(3)).until(() -> counter("finetide_ingestion_examples_stored_total")
                - before[1] + counter("finetide_ingestion_examples_duplicates_total") - before[2] + counter(
                        "finetide_ingestion_examples_rejected_total")
                - before[3] >= 10_000);
        assertThat(counter("finetide_ingestion_examples_received_total") - before[0]).isEqualTo(10_000);
        assertThat(counter("finetide_ingestion_examples_stored_total") - before[1]).isEqualTo(expectedStored);
        assertThat(counter("finetide_ingestion_examples_duplicates_total") - before[2]).isEqualTo(expectedDuplicates);
        assertThat(counter("finetide_ingestion_examples_rejected_total") - before[3]).isEqualTo(expectedRejected);
        assertThat(counter("finetide_ingestion_examples_emitted_total") - before[4]).isEqualTo(expectedStored
                - unlabelled);
        try (var mongo = com.mongodb.client.MongoClients.create(ctx.mongoUri())) {
            assertThat(mongo.getDatabase(ctx.database()).getCollection("examples").countDocuments(
                    com.mongodb.client.model.Filters.eq("task", "acct"))).isEqualTo(expectedStored);
        }
    }

    /** Records of the first test: task "flow" (labelled topic key), or a one-letter id (its dead letters). */
    private static List<ConsumerRecord<String, byte[]>> ofThisTest(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(r -> "flow".equals(r.key()) || new String(r.value(), StandardCharsets.UTF_8)
                .matches("(?s).*\"id\":\"\\w\".*")).toList();
    }

    private static final String[] WORDS = {"great", "awful", "slow", "friendly", "broken", "late", "perfect",
            "refund", "again", "never"};
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static double counter(String name) {
        double sum = 0;
        for (String line : given().get("/q/metrics").asString().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
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
        // Found by the fuzzing campaign: a key is a field path in the store, never a way to name another field.
        given().contentType("application/json").body("{\"metadataKey\": \"customer id\", \"metadataValue\": \"c\"}")
                .post("/api/v1/tasks/gdpr/examples/deletions").then().statusCode(400)
                .body("reason", org.hamcrest.Matchers.equalTo("MALFORMED_PAYLOAD"));
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

    private static boolean isMarker(ConsumerRecord<String, byte[]> r) {
        try {
            return LabelledExampleEvent.parseFrom(r.value()).getId().equals("z");
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProducerRecord<String, byte[]> json(String topic, String value) {
        return new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8));
    }
}
