package io.finetide.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import io.finetide.platform.events.Events;
import io.finetide.platform.text.SimHash;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.ExampleScoredEvent;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.UnlabelledExampleEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** People and rules in the loop, against the real broker and store. Each test has a task of its own. */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class LabelingFlowIT {

    @Test
    void aQuorumOfAnnotatorsDecidesHoldsTiesForAdjudicationAndReportsAgreement() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        createTask("{\"name\":\"rate\",\"labels\":[\"neg\",\"pos\"],\"labeling\":{\"quorum\":2}}");
        postExamples("rate", List.of("u1", "u2", "u3", "u4", "u5", "u6"), List.of("fine service", "rude staff",
                "mixed feelings", "never again", "would return", "opening hours"));

        // Alice and Bob agree on u1, u2, u4, u5 and disagree on u3.
        String[][] votes = {{"u1", "pos", "pos"}, {"u2", "neg", "neg"}, {"u3", "pos", "neg"}, {"u4",
                "neg", "neg"}, {"u5", "pos", "pos"}};
        for (String[] v : votes) {
            assertThat(label("rate", v[0], v[1], "alice")).isEqualTo("voted");
            assertThat(label("rate", v[0], v[2], "bob")).isEqualTo(v[0].equals("u3") ? "held" : "labelled");
        }
        assertThat(label("rate", "u3", "pos", "carol")).isEqualTo("held");
        assertThat(label("rate", "u1", "neg", "alice")).isEqualTo("conflict");
        assertThat(label("rate", "u6", "pos", "alice")).isEqualTo("voted");
        assertThat(label("rate", "u6", "pos", "alice")).isEqualTo("duplicate");
        given().contentType("application/json").body("{\"task\":\"rate\",\"id\":\"u6\",\"label\":\"pos\"}").post(
                "/api/v1/labels").then().statusCode(400).body("reason", equalTo("MISSING_FIELD"));

        // Alice has voted on everything; Bob still sees u6, which needs one more vote.
        given().get("/api/v1/tasks/rate/queue?annotator=alice").then().statusCode(200).body("items.size()", equalTo(
                0));
        Response bobs = given().get("/api/v1/tasks/rate/queue?annotator=bob");
        assertThat(bobs.jsonPath().getList("items.id")).containsExactly("u6");
        assertThat(bobs.jsonPath().getInt("items[0].votes")).isEqualTo(1);

        Response held = given().get("/api/v1/tasks/rate/adjudications");
        assertThat(held.jsonPath().getList("id")).containsExactly("u3");
        assertThat(held.jsonPath().getList("[0].votes.annotator")).containsExactly("alice", "bob", "carol");
        given().contentType("application/json").body("{\"id\":\"u3\",\"label\":\"pos\",\"admin\":\"dana\"}").post(
                "/api/v1/tasks/rate/adjudications").then().statusCode(200).body("status", equalTo("adjudicated"));
        given().contentType("application/json").body("{\"id\":\"u3\",\"label\":\"neg\"}").post(
                "/api/v1/tasks/rate/adjudications").then().statusCode(200).body("status", equalTo("conflict"));
        given().contentType("application/json").body("{\"id\":\"u3\",\"label\":\"meh\"}").post(
                "/api/v1/tasks/rate/adjudications").then().statusCode(422).body("reason", equalTo("UNKNOWN_LABEL"));

        Response progress = given().get("/api/v1/tasks/rate/labeling");
        progress.then().statusCode(200);
        assertThat(progress.jsonPath().getInt("labelled")).isEqualTo(5);
        assertThat(progress.jsonPath().getInt("unlabelled")).isEqualTo(1);
        assertThat(progress.jsonPath().getInt("awaitingVotes")).isEqualTo(1);
        assertThat(progress.jsonPath().getInt("held")).isZero();
        assertThat(progress.jsonPath().getMap("votesByAnnotator")).isEqualTo(Map.of("alice", 6, "bob", 5, "carol",
                1));
        // By hand: 5 items with two votes, 4 agree: P-bar 0.8; pos and neg 5 of 10 votes each: P_e 0.5 -> 0.6.
        assertThat(progress.jsonPath().getDouble("fleissKappa")).isCloseTo(0.6, within(1e-6));
        assertThat(progress.jsonPath().getDouble("observedAgreement")).isCloseTo(0.8, within(1e-6));
        // Alice pos,neg,pos,neg,pos; Bob pos,neg,neg,neg,pos: p_o 0.8, p_e 0.6*0.4 + 0.4*0.6 = 0.48 -> 0.32/0.52.
        List<Map<String, Object>> pairs = progress.jsonPath().getList("pairs");
        assertThat(pairs.get(0)).containsEntry("a", "alice").containsEntry("b", "bob").containsEntry("items", 5);
        assertThat(((Number) pairs.get(0).get("cohenKappa")).doubleValue()).isCloseTo(0.32 / 0.52, within(1e-6));
        assertThat(pairs.get(2)).containsEntry("a", "bob").containsEntry("b", "carol");

        Map<String, String> emitted = new java.util.HashMap<>();
        try (KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                Topics.EXAMPLES_LABELLED))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(c, Duration.ofMillis(200))) {
                    LabelledExampleEvent e = LabelledExampleEvent.parseFrom(r.value());
                    if (e.getMeta().getTask().equals("rate")) {
                        assertThat(emitted.put(e.getId(), e.getLabel())).as("emitted once: %s", e.getId()).isNull();
                    }
                }
                return emitted.size() >= 5;
            });
        }
        assertThat(emitted).isEqualTo(Map.of("u1", "pos", "u2", "neg", "u3", "pos", "u4", "neg", "u5", "pos"));
        List<String> history = given().get("/api/v1/tasks/rate/examples/u3/labels").jsonPath().getList("outcome");
        assertThat(history).containsExactly("VOTED", "HELD", "HELD", "ADJUDICATED", "CONFLICT");
    }

    @Test
    void theQueuePutsTheChampionsMostUncertainFirstAndSkipsNearDuplicates() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        createTask("{\"name\":\"al\",\"labels\":[\"neg\",\"pos\"],\"labeling\":{\"batchMinDistance\":8}}");
        String near = "the delivery arrived two days late and the box was damaged on one side so I want a refund";
        String nearer = "the delivery arrived two days late and the box was damaged on one side so I want my refund";
        assertThat(SimHash.distance(SimHash.of(near), SimHash.of(nearer))).as("test premise").isLessThanOrEqualTo(8);
        // Two requests: the second one's examples are younger.
        postExamples("al", List.of("a1", "a2", "a3", "a4"), List.of("loved it", "it was fine I guess", "quite good",
                near));
        postExamples("al", List.of("b1", "b2", "b3"), List.of("not sure what to think", "terrible", nearer));

        Response fifo = given().get("/api/v1/tasks/al/queue?annotator=zoe&size=10");
        assertThat(fifo.jsonPath().getString("order")).isEqualTo("fifo");
        assertThat(fifo.jsonPath().getList("items.id")).containsExactly("a1", "a2", "a3", "a4", "b1", "b2");
        assertThat(fifo.jsonPath().getInt("pending")).isEqualTo(7);

        // Ingestion asked for scores of each new unlabelled example.
        Set<String> asked = new java.util.HashSet<>();
        try (KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                Topics.EXAMPLES_UNLABELLED))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(c, Duration.ofMillis(200))) {
                    UnlabelledExampleEvent e = UnlabelledExampleEvent.parseFrom(r.value());
                    if (e.getMeta().getTask().equals("al")) {
                        asked.add(e.getId());
                    }
                }
                return asked.size() >= 7;
            });
        }
        assertThat(asked).containsExactlyInAnyOrder("a1", "a2", "a3", "a4", "b1", "b2", "b3");

        // A fixed model's distributions: entropy ranks a2 (0.5/0.5) > b1 (0.55) > a3 (0.7) > a1 (0.9).
        Map<String, float[]> probabilities = Map.of("a1", new float[]{0.1f, 0.9f}, "a2", new float[]{0.5f,
                0.5f}, "a3", new float[]{0.3f, 0.7f}, "b1", new float[]{0.55f, 0.45f});
        try (KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            for (var e : probabilities.entrySet()) {
                ExampleScoredEvent.Builder b = ExampleScoredEvent.newBuilder().setMeta(Events.meta("al")).setId(e
                        .getKey()).setModelId("al-m1").addLabels("neg").addLabels("pos");
                for (float f : e.getValue()) {
                    b.addProbabilities(f);
                }
                p.send(new ProducerRecord<>(ctx.topic(Topics.EXAMPLES_SCORED), "al", b.build().toByteArray())).get();
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/api/v1/tasks/al/queue?size=10").jsonPath()
                .getList("items.uncertainty").stream().filter(java.util.Objects::nonNull).count() == 4);
        Response ranked = given().get("/api/v1/tasks/al/queue?annotator=zoe&size=10");
        assertThat(ranked.jsonPath().getString("order")).isEqualTo("uncertainty:entropy");
        assertThat(ranked.jsonPath().getInt("scored")).isEqualTo(4);
        // Scored by uncertainty, then the unscored first-in first-out; b3 is a near-duplicate of a4.
        assertThat(ranked.jsonPath().getList("items.id")).containsExactly("a2", "b1", "a3", "a1", "a4", "b2");
        assertThat(ranked.jsonPath().getString("items[0].predicted")).isIn("neg", "pos");
        assertThat(ranked.jsonPath().getString("items[3].predicted")).isEqualTo("pos");
        assertThat(ranked.jsonPath().getString("items[0].modelId")).isEqualTo("al-m1");
        assertThat(ranked.jsonPath().getDouble("items[0].uncertainty")).isCloseTo(Math.log(2), within(1e-6));
        given().get("/api/v1/tasks/al/queue?size=2").then().body("items.id", org.hamcrest.Matchers.contains("a2",
                "b1"));
        given().get("/api/v1/tasks/al/queue?size=0").then().statusCode(400);

        // A label takes the example out of the queue; a new champion has everything still unlabelled scored again.
        assertThat(label("al", "a2", "pos", "zoe")).isEqualTo("labelled");
        assertThat(given().get("/api/v1/tasks/al/queue?size=10").jsonPath().getList("items.id")).doesNotContain("a2");
        try (KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.EXAMPLES_UNLABELLED))) {
            p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), "al", ModelPromotedEvent.newBuilder()
                    .setMeta(Events.meta("al")).setModelId("al-m2").build().toByteArray())).get();
            Map<String, Integer> requests = new java.util.HashMap<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(c, Duration.ofMillis(200))) {
                    UnlabelledExampleEvent e = UnlabelledExampleEvent.parseFrom(r.value());
                    if (e.getMeta().getTask().equals("al")) {
                        requests.merge(e.getId(), 1, Integer::sum);
                    }
                }
                return requests.values().stream().filter(n -> n == 2).count() >= 6;
            });
            // From the start of the topic: a2 was asked about once, at ingestion, and not again once labelled.
            assertThat(requests).containsEntry("a2", 1);
            assertThat(requests.entrySet().stream().filter(e -> e.getValue() == 2).map(Map.Entry::getKey).collect(
                    Collectors.toSet())).containsExactlyInAnyOrder("a1", "a3", "a4", "b1", "b2", "b3");
        }
    }

    @Test
    void labelingFunctionsGiveWeakLabelsThatStayApartFromHumanLabels() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        createTask("{\"name\":\"ws\",\"labels\":[\"ham\",\"spam\"]}");
        given().contentType("application/json").body("[{\"id\":\"l1\",\"task\":\"ws\",\"text\":\"win free money\","
                + "\"label\":\"spam\"},{\"id\":\"l2\",\"task\":\"ws\",\"text\":\"see you at lunch\",\"label\":"
                + "\"ham\"}]").post("/api/v1/examples").then().statusCode(200).body("accepted", equalTo(2));
        postExamples("ws", List.of("w1", "w2", "w3"), List.of("free prize, call now", "lunch tomorrow?",
                "nothing matches here"));

        putFunction("ws", "free", "{\"kind\":\"keywords\",\"patterns\":[\"free\"],\"label\":\"spam\"}", 201);
        putFunction("ws", "call-now", "{\"kind\":\"regex\",\"patterns\":[\"call\\\\s+now\"],\"label\":\"spam\"}",
                201);
        putFunction("ws", "lunch", "{\"kind\":\"keywords\",\"patterns\":[\"lunch\"],\"label\":\"ham\"}", 201);
        putFunction("ws", "lunch", "{\"kind\":\"keywords\",\"patterns\":[\"lunch\",\"dinner\"],\"label\":\"ham\"}",
                200);
        given().contentType("application/json").body("{\"kind\":\"regex\",\"patterns\":[\"(\"],\"label\":\"eggs\"}")
                .put("/api/v1/tasks/ws/labeling-functions/bad").then().statusCode(422).body("reason", equalTo(
                        "INVALID_LABELING_FUNCTION"))
                .body("message", org.hamcrest.Matchers.containsString(
                        "not a regular expression"));
        given().delete("/api/v1/tasks/ws/labeling-functions/bad").then().statusCode(404);
        given().get("/api/v1/tasks/ws/weak-labels").then().statusCode(404);
        assertThat(given().get("/api/v1/tasks/ws/labeling-functions").jsonPath().getList("name")).containsExactly(
                "call-now", "free", "lunch");

        Response report = given().post("/api/v1/tasks/ws/weak-labels/runs");
        report.then().statusCode(200);
        assertThat(report.jsonPath().getString("model")).isEqualTo("label-model");
        assertThat(report.jsonPath().getInt("examples")).isEqualTo(5);
        assertThat(report.jsonPath().getInt("unlabelled")).isEqualTo(3);
        assertThat(report.jsonPath().getInt("weaklyLabelled")).isEqualTo(2);
        assertThat(report.jsonPath().getMap("weakLabels")).isEqualTo(Map.of("spam", 1, "ham", 1));
        // call-now, free, lunch (by name). free votes on l1 and w1, call-now on w1, lunch on l2 and w2.
        assertThat(report.jsonPath().getList("functions.coverage", Float.class)).containsExactly(0.2f, 0.4f, 0.4f);
        assertThat(report.jsonPath().getList("functions.overlap", Float.class)).containsExactly(0.2f, 0.2f, 0.0f);
        assertThat(report.jsonPath().getList("functions.conflict", Float.class)).containsExactly(0f, 0f, 0f);
        assertThat(report.jsonPath().getList("functions.empiricalAccuracy")).containsExactly(null, 1.0f, 1.0f);
        assertThat(given().get("/api/v1/tasks/ws/weak-labels").jsonPath().getInt("weaklyLabelled")).isEqualTo(2);

        Response queue = given().get("/api/v1/tasks/ws/queue?size=10");
        Map<String, String> weak = new java.util.HashMap<>();
        List<Map<String, Object>> items = queue.jsonPath().getList("items");
        items.forEach(i -> weak.put((String) i.get("id"), (String) i.get("weakLabel")));
        assertThat(weak).containsEntry("w1", "spam").containsEntry("w2", "ham").containsEntry("w3", null);
        assertThat(((Number) items.get(0).get("weakConfidence")).doubleValue()).isBetween(0.5, 1.0);

        // Weak labels never release an example: only human-labelled ones go downstream. A labelled example sent
        // after the run is the marker: the topic keeps the task's order, so whatever the run had released would
        // arrive before it.
        given().contentType("application/json").body("[{\"id\":\"l3\",\"task\":\"ws\",\"text\":\"marker\","
                + "\"label\":\"ham\"}]").post("/api/v1/examples").then().statusCode(200).body("accepted", equalTo(1));
        List<String> emitted = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                Topics.EXAMPLES_LABELLED))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(c, Duration.ofMillis(200))) {
                    LabelledExampleEvent e = LabelledExampleEvent.parseFrom(r.value());
                    if (e.getMeta().getTask().equals("ws")) {
                        emitted.add(e.getId());
                    }
                }
                return emitted.contains("l3");
            });
        }
        assertThat(emitted).containsExactlyInAnyOrder("l1", "l2", "l3");
        given().delete("/api/v1/tasks/ws/labeling-functions/free").then().statusCode(200);
    }

    @Test
    void tokenClassificationExamplesAreValidatedRedactedStoredAndTaggedLater() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        given().contentType("application/json").body("{\"name\":\"ner-bad\",\"type\":\"TOKEN_CLASSIFICATION\","
                + "\"labels\":[\"B-person\"]}").post("/api/v1/tasks").then().statusCode(422).body("message",
                        org.hamcrest.Matchers.containsString("entity types"));
        createTask("{\"name\":\"ner\",\"type\":\"TOKEN_CLASSIFICATION\",\"labels\":[\"person\",\"location\"],"
                + "\"privacy\":{\"redactPii\":true}}");
        Response r = given().contentType("application/json").body("[" + String.join(",",
                "{\"id\":\"t1\",\"task\":\"ner\",\"tokens\":[\"Alice\",\"flew\",\"to\",\"Paris\"],"
                        + "\"tags\":[\"B-person\",\"O\",\"O\",\"B-location\"]}",
                "{\"id\":\"t2\",\"task\":\"ner\",\"tokens\":[\"x\",\"y\"],\"tags\":[\"O\"]}",
                "{\"id\":\"t3\",\"task\":\"ner\",\"tokens\":[\"x\",\"y\"],\"tags\":[\"B-org\",\"O\"]}",
                "{\"id\":\"t4\",\"task\":\"ner\",\"tokens\":[\"x\"],\"label\":\"person\"}",
                "{\"id\":\"t5\",\"task\":\"ner\",\"text\":\"no tokens\"}",
                "{\"id\":\"t6\",\"task\":\"ner\",\"tokens\":[\"call\",\"+44\",\"20\",\"7946\",\"0958\","
                        + "\"Bob\"]}",
                "{\"id\":\"t7\",\"task\":\"ner\",\"tokens\":[\"two words\"]}",
                "{\"id\":\"t8\",\"task\":\"ner\",\"tokens\":\"Alice\"}") + "]").post("/api/v1/examples");
        r.then().statusCode(200);
        assertThat(r.jsonPath().getList("results.status")).containsExactly("stored", "rejected", "rejected",
                "rejected", "rejected", "stored", "rejected", "rejected");
        assertThat(r.jsonPath().getList("results.reason")).containsExactly(null, "TOKEN_TAG_MISMATCH",
                "UNKNOWN_LABEL", "MALFORMED_PAYLOAD", "MISSING_FIELD", null, "MALFORMED_PAYLOAD",
                "MALFORMED_PAYLOAD");
        assertThat(r.jsonPath().getString("results[1].message")).isEqualTo("1 tags for 2 tokens");
        assertThat(r.jsonPath().getString("results[2].message")).startsWith("tag 'B-org' at position 0");
        // A text task refuses tokens.
        createTask("{\"name\":\"plain\",\"labels\":[\"a\",\"b\"]}");
        given().contentType("application/json").body("{\"id\":\"p\",\"task\":\"plain\",\"text\":\"x y\","
                + "\"tokens\":[\"x\",\"y\"]}").post("/api/v1/examples").then().statusCode(400).body("reason",
                        equalTo("MALFORMED_PAYLOAD"));

        // The raw topic dead-letters the same way, with the reason in the headers.
        try (KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> dead = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.DEAD_LETTER))) {
            p.send(new ProducerRecord<>(ctx.topic(Topics.EXAMPLES_RAW), "ner-k", ("{\"id\":\"k1\",\"task\":\"ner\","
                    + "\"tokens\":[\"a\",\"b\",\"c\"],\"tags\":[\"O\",\"O\"]}").getBytes(
                            java.nio.charset.StandardCharsets.UTF_8)))
                    .get();
            List<String> reasons = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> d : TestKafka.poll(dead, Duration.ofMillis(200))) {
                    if ("ner-k".equals(d.key())) {
                        reasons.add(new String(d.headers().lastHeader(
                                io.finetide.platform.errors.DeadLetters.REASON).value(),
                                java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
                return !reasons.isEmpty();
            });
            assertThat(reasons).containsExactly("TOKEN_TAG_MISMATCH");
        }

        // Tags arriving later must fit the stored (redacted) tokens.
        given().contentType("application/json").body("{\"task\":\"ner\",\"id\":\"t6\",\"tags\":[\"O\"]}")
                .post("/api/v1/labels").then().statusCode(422).body("reason", equalTo("TOKEN_TAG_MISMATCH"));
        given().contentType("application/json").body("{\"task\":\"ner\",\"id\":\"t6\",\"label\":\"person\"}")
                .post("/api/v1/labels").then().statusCode(400).body("reason", equalTo("MALFORMED_PAYLOAD"));
        given().contentType("application/json").body("{\"task\":\"ner\",\"id\":\"t6\",\"tags\":[\"O\",\"O\","
                + "\"O\",\"O\",\"O\",\"B-person\"],\"annotator\":\"ann\"}").post("/api/v1/labels").then()
                .statusCode(200).body("status", equalTo("labelled"));
        given().contentType("application/json").body("{\"task\":\"ner\",\"id\":\"t6\",\"tags\":[\"O\",\"O\","
                + "\"O\",\"O\",\"O\",\"B-location\"],\"annotator\":\"other\"}").post("/api/v1/labels").then()
                .statusCode(200).body("status", equalTo("conflict"));
        given().post("/api/v1/tasks/ner/weak-labels/runs").then().statusCode(422).body("reason", equalTo(
                "INVALID_LABELING_FUNCTION"));

        Map<String, LabelledExampleEvent> emitted = new java.util.HashMap<>();
        try (KafkaConsumer<String, byte[]> c = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                Topics.EXAMPLES_LABELLED))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> rec : TestKafka.poll(c, Duration.ofMillis(200))) {
                    LabelledExampleEvent e = LabelledExampleEvent.parseFrom(rec.value());
                    if (e.getMeta().getTask().equals("ner")) {
                        emitted.put(e.getId(), e);
                    }
                }
                return emitted.size() >= 2;
            });
        }
        assertThat(emitted.get("t1").getTokensList()).containsExactly("Alice", "flew", "to", "Paris");
        assertThat(emitted.get("t1").getTagsList()).containsExactly("B-person", "O", "O", "B-location");
        assertThat(emitted.get("t1").getLabel()).isEmpty();
        assertThat(emitted.get("t6").getTokensList()).containsExactly("call", "[PHONE]", "[PHONE]", "[PHONE]",
                "[PHONE]", "Bob");
        assertThat(emitted.get("t6").getText()).isEqualTo("call [PHONE] [PHONE] [PHONE] [PHONE] Bob");
        assertThat(emitted.get("t6").getTagsList()).containsExactly("O", "O", "O", "O", "O", "B-person");
    }

    static void createTask(String json) {
        given().contentType("application/json").body(json).post("/api/v1/tasks").then().statusCode(201);
    }

    static void postExamples(String task, List<String> ids, List<String> texts) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            items.add("{\"id\":\"" + ids.get(i) + "\",\"task\":\"" + task + "\",\"text\":\"" + texts.get(i)
                    + "\"}");
        }
        given().contentType("application/json").body("[" + String.join(",", items) + "]").post("/api/v1/examples")
                .then().statusCode(200).body("accepted", equalTo(ids.size()));
    }

    static String label(String task, String id, String label, String annotator) {
        return given().contentType("application/json").body("{\"task\":\"" + task + "\",\"id\":\"" + id
                + "\",\"label\":\"" + label + "\",\"annotator\":\"" + annotator + "\"}").post("/api/v1/labels").then()
                .statusCode(200).extract().path("status");
    }

    private static void putFunction(String task, String name, String body, int status) {
        given().contentType("application/json").body(body).put("/api/v1/tasks/" + task + "/labeling-functions/"
                + name).then().statusCode(status);
    }
}
