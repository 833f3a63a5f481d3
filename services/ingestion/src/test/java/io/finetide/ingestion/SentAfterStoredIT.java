package io.finetide.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import io.finetide.ingestion.intake.IngestService;
import io.finetide.ingestion.labeling.LabelService;
import io.finetide.ingestion.store.ExampleRecord;
import io.finetide.ingestion.store.ExampleStore;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.RawExampleEvent;
import io.finetide.proto.v1.RawLabelEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What goes downstream is what the store holds, once. "Another instance" is the store written directly: it stored an
 * example or a label and died before sending it, so its write won the race and nothing went out. Both tests failed
 * when ingestion sent before storing: the losing instance's version went downstream instead. A batch of labels, whose
 * examples are read at once, decides as the same labels one by one would.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class SentAfterStoredIT {

    @Inject
    IngestService ingest;

    @Inject
    LabelService labels;

    @Inject
    ExampleStore store;

    @Test
    void ofInstancesRacingOnOneIdTheStoredExampleGoesDownstreamOnce() throws Exception {
        task("race-ids");
        submit("race-ids", "warm", "the service has read the task", "pos");
        // Another instance stores "x" and dies before sending it.
        assertThat(store.insertOnce(new ExampleRecord("race-ids", "x", "the other instance's text", "", "neg", Map.of(),
                "hx", 1L, Map.of(), "other", 1L, List.of()))).isTrue();

        assertThat(submit("race-ids", "x", "this instance's text", "pos")).isEqualTo(IngestService.Outcome.DUPLICATE);
        submit("race-ids", "m1", "the first marker", "neg");
        // A replay of the same record: "x" is recorded as sent now and does not go again.
        submit("race-ids", "x", "this instance's text", "pos");
        submit("race-ids", "m2", "the second marker", "neg");

        List<LabelledExampleEvent> sent = labelledUntil("race-ids", "m2");
        assertThat(sent).extracting(LabelledExampleEvent::getId).containsExactly("warm", "x", "m1", "m2");
        LabelledExampleEvent x = sent.get(1);
        assertThat(x.getText()).isEqualTo("the other instance's text");
        assertThat(x.getLabel()).isEqualTo("neg");
        assertThat(PrometheusText.sum(given().get("/q/metrics").asString(),
                "finetide_ingestion_examples_resent_total", "task", "race-ids")).isEqualTo(1.0);
    }

    @Test
    void ofInstancesLabellingOneExampleTheStoredLabelGoesDownstreamOnce() throws Exception {
        task("race-labels");
        submit("race-labels", "u", "waiting for a label", "");
        // Another instance labels "u" and dies before sending it.
        assertThat(store.labelOnce("race-labels", "u", "neg")).isTrue();

        assertThat(label("race-labels", "u", "pos")).isEqualTo(LabelService.Outcome.CONFLICT);
        submit("race-labels", "m1", "the first marker", "neg");
        assertThat(label("race-labels", "u", "neg")).isEqualTo(LabelService.Outcome.DUPLICATE);
        submit("race-labels", "m2", "the second marker", "neg");

        List<LabelledExampleEvent> sent = labelledUntil("race-labels", "m2");
        assertThat(sent).extracting(LabelledExampleEvent::getId).containsExactly("u", "m1", "m2");
        assertThat(sent.get(0).getLabel()).isEqualTo("neg");
        assertThat(sent.get(0).getText()).isEqualTo("waiting for a label");
    }

    @Test
    void aBatchOfLabelsFromTheTopicIsAppliedAsOneLabelAfterAnother() throws Exception {
        task("label-batch");
        submit("label-batch", "u1", "the first waiting for a label", "");
        submit("label-batch", "u2", "the second waiting for a label", "");
        // The examples of a batch are read at once; the second label of u1 must see the first one's decision.
        Map<Integer, io.finetide.platform.errors.RejectedException> refused = labels.applyAll(List.of(
                event("label-batch", "u1", "pos"), event("label-batch", "ghost", "pos"), event("label-batch", "u1",
                        "neg"),
                event("label-batch", "u2", "meh"), event("label-batch", "u2", "neg"), event("nowhere", "u2", "neg")));
        assertThat(refused).containsOnlyKeys(1, 3, 5);
        assertThat(refused.get(1).reason()).isEqualTo(io.finetide.platform.errors.ReasonCode.UNKNOWN_EXAMPLE);
        assertThat(refused.get(3).reason()).isEqualTo(io.finetide.platform.errors.ReasonCode.UNKNOWN_LABEL);
        assertThat(refused.get(5).reason()).isEqualTo(io.finetide.platform.errors.ReasonCode.UNKNOWN_TASK);
        assertThat(store.find("label-batch", "u1").orElseThrow().label()).isEqualTo("pos");
        submit("label-batch", "m", "the marker", "neg");

        List<LabelledExampleEvent> sent = labelledUntil("label-batch", "m");
        assertThat(sent).extracting(LabelledExampleEvent::getId).containsExactly("u1", "u2", "m");
        assertThat(sent).extracting(LabelledExampleEvent::getLabel).containsExactly("pos", "neg", "neg");
        String metrics = given().get("/q/metrics").asString();
        assertThat(PrometheusText.sum(metrics, "finetide_ingestion_labels_total", "task", "label-batch", "outcome",
                "conflict")).isEqualTo(1.0);
        assertThat(PrometheusText.sum(metrics, "finetide_ingestion_labels_total", "task", "label-batch", "outcome",
                "labelled")).isEqualTo(2.0);
    }

    private static void task(String name) {
        given().contentType("application/json").body("{\"name\":\"" + name + "\",\"labels\":[\"neg\",\"pos\"]}")
                .post("/api/v1/tasks").then().statusCode(201);
    }

    private IngestService.Outcome submit(String task, String id, String text, String label) {
        RawExampleEvent raw = RawExampleEvent.newBuilder().setTask(task).setId(id).setText(text).setLabel(label)
                .build();
        return ingest.ingestAll(List.of(new IngestService.Submission(raw, "test"))).get(0).outcome();
    }

    private LabelService.Outcome label(String task, String id, String label) {
        return labels.apply(event(task, id, label));
    }

    private static RawLabelEvent event(String task, String id, String label) {
        return RawLabelEvent.newBuilder().setTask(task).setId(id).setLabel(label).build();
    }

    /** The task's labelled events in order, up to and including the marker (one partition keeps the order). */
    private static List<LabelledExampleEvent> labelledUntil(String task, String marker) throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        List<LabelledExampleEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                Topics.EXAMPLES_LABELLED))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(consumer, Duration.ofMillis(200))) {
                    if (task.equals(r.key())) {
                        events.add(LabelledExampleEvent.parseFrom(r.value()));
                    }
                }
                return events.stream().anyMatch(e -> e.getId().equals(marker));
            });
        }
        return events;
    }
}
