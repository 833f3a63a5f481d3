package io.finetide.deployment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.FeedbackEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Live feedback: prediction ids in answers, feedback over REST and the topic, live figures per model. */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class FeedbackFlowIT {

    @Test
    void feedbackOnServedPredictionsGivesEachModelItsLiveAccuracyAndMacroF1OncePerPrediction() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                io.finetide.model.tokenizer.Tokenizer tokenizer = io.finetide.model.tokenizer.Tokenizer.builtin(
                        "minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap());
                KafkaConsumer<String, byte[]> dead = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(
                        Topics.DEAD_LETTER))) {
            ServedTasks.store(new ArtifactStore(client.getDatabase(ctx.artifactsDatabase())), "fb", 1, ServedTasks
                    .tinyClassifier(tokenizer, 41));
            ServedTasks.send(p, ctx, ServedTasks.evaluated("fb", 1, true, ""));
            await().atMost(Duration.ofSeconds(60)).until(() -> given().contentType("application/json").body(
                    "{\"texts\":[\"x\"]}").post("/api/v1/tasks/fb/predict").statusCode() == 200);

            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                texts.add("review number " + i + " " + "good ".repeat(i % 3) + "bad ".repeat(i % 2));
            }
            Response answered = given().contentType("application/json").body(Map.of("texts", texts)).post(
                    "/api/v1/tasks/fb/predict");
            List<String> ids = answered.jsonPath().getList("predictions.predictionId");
            List<String> predicted = answered.jsonPath().getList("predictions.label");
            assertThat(ids).hasSize(10).doesNotHaveDuplicates().allMatch(id -> id.startsWith("fb-m1."));

            // Six right, four wrong; then three of them again, which must not count twice.
            List<Map<String, String>> feedback = new ArrayList<>();
            List<String> truth = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String label = i < 6 ? predicted.get(i) : other(predicted.get(i));
                truth.add(label);
                feedback.add(Map.of("predictionId", ids.get(i), "label", label, "source", "test"));
            }
            given().contentType("application/json").body(feedback).post("/api/v1/tasks/fb/feedback").then()
                    .statusCode(202).body("accepted", equalTo(10));
            given().contentType("application/json").body(feedback.subList(0, 3)).post("/api/v1/tasks/fb/feedback")
                    .then().statusCode(202);
            // A record on the topic that names no prediction: a dead letter with its reason, and the stream goes on.
            p.send(new ProducerRecord<>(ctx.topic(Topics.FEEDBACK), "fb", FeedbackEvent.newBuilder().setMeta(Events
                    .meta("fb")).setPredictionId("not-an-id").setLabel("pos").build().toByteArray())).get();
            p.send(new ProducerRecord<>(ctx.topic(Topics.FEEDBACK), "fb", "garbage".getBytes(
                    StandardCharsets.UTF_8))).get();
            // The marker after them: one more right answer, fed straight to the topic.
            Response marker = given().contentType("application/json").body("{\"texts\":[\"the marker\"]}").post(
                    "/api/v1/tasks/fb/predict");
            p.send(new ProducerRecord<>(ctx.topic(Topics.FEEDBACK), "fb", FeedbackEvent.newBuilder().setMeta(Events
                    .meta("fb")).setPredictionId(marker.jsonPath().getString("predictions[0].predictionId")).setLabel(
                            marker.jsonPath().getString("predictions[0].label"))
                    .build().toByteArray())).get();
            predicted = new ArrayList<>(predicted);
            predicted.add(marker.jsonPath().getString("predictions[0].label"));
            truth.add(marker.jsonPath().getString("predictions[0].label"));

            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Integer taken = given().get("/api/v1/tasks/fb/live").jsonPath().get(
                        "models.find { it.modelId == 'fb-m1' }.feedback");
                return taken != null && taken == 11;
            });
            // Rest Assured reads JSON numbers as floats: 1e-6 here, 1e-9 on the metrics.
            Response live = given().get("/api/v1/tasks/fb/live");
            assertThat(live.jsonPath().getDouble("models[0].accuracy")).isCloseTo(7.0 / 11,
                    org.assertj.core.data.Offset.offset(1e-6));
            assertThat(live.jsonPath().getDouble("models[0].macroF1")).isCloseTo(macroF1(predicted, truth),
                    org.assertj.core.data.Offset.offset(1e-6));

            String metrics = given().get("/q/metrics").asString();
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_live_accuracy", "task", "fb", "model_id",
                    "fb-m1")).isCloseTo(7.0 / 11, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_live_macro_f1", "task", "fb", "model_id",
                    "fb-m1")).isCloseTo(macroF1(predicted, truth), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_feedback_total", "task", "fb", "outcome",
                    "duplicate")).isEqualTo(3.0);
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_feedback_total", "task", "fb", "outcome",
                    "incorrect")).isEqualTo(4.0);
            List<String> reasons = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> d : TestKafka.poll(dead, Duration.ofMillis(200))) {
                    if (ctx.topic(Topics.FEEDBACK).equals(TestKafka.header(d, DeadLetters.ORIGINAL_TOPIC))) {
                        reasons.add(TestKafka.header(d, DeadLetters.REASON));
                    }
                }
                return reasons.size() == 2;
            });
            assertThat(reasons).containsExactlyInAnyOrder("MALFORMED_PAYLOAD", "MALFORMED_PAYLOAD");
        }

        // Refused over REST, each with its reason; nothing is published.
        given().contentType("application/json").body(List.of(Map.of("predictionId", "nope", "label", "pos"))).post(
                "/api/v1/tasks/fb/feedback").then().statusCode(400).body("reason", equalTo("MALFORMED_PAYLOAD"));
        String someId = given().contentType("application/json").body("{\"texts\":[\"y\"]}").post(
                "/api/v1/tasks/fb/predict").jsonPath().getString("predictions[0].predictionId");
        given().contentType("application/json").body(List.of(Map.of("predictionId", someId, "label", "meh"))).post(
                "/api/v1/tasks/fb/feedback").then().statusCode(422).body("reason", equalTo("UNKNOWN_LABEL"));
        given().contentType("application/json").body(List.of()).post("/api/v1/tasks/fb/feedback").then().statusCode(
                400).body("reason", equalTo("MISSING_FIELD"));
        given().contentType("application/json").body(List.of(Map.of("predictionId", someId, "label", "pos"))).post(
                "/api/v1/tasks/nochamp/feedback").then().statusCode(404).body("reason", equalTo("NO_CHAMPION"));
        assertThat(given().get("/api/v1/tasks/fb/live").jsonPath().getInt("models[0].feedback")).isEqualTo(11);
    }

    private static String other(String label) {
        return label.equals("pos") ? "neg" : "pos";
    }

    /** Per-label precision and recall, F1 their harmonic mean (0 when both are 0), averaged over labels seen. */
    private static double macroF1(List<String> predicted, List<String> truth) {
        java.util.Set<String> labels = new java.util.TreeSet<>(predicted);
        labels.addAll(truth);
        double sum = 0;
        for (String l : labels) {
            int tp = 0;
            int p = 0;
            int t = 0;
            for (int i = 0; i < truth.size(); i++) {
                tp += predicted.get(i).equals(l) && truth.get(i).equals(l) ? 1 : 0;
                p += predicted.get(i).equals(l) ? 1 : 0;
                t += truth.get(i).equals(l) ? 1 : 0;
            }
            double precision = p == 0 ? 0 : (double) tp / p;
            double recall = t == 0 ? 0 : (double) tp / t;
            sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
        return sum / labels.size();
    }
}
