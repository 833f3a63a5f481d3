package io.finetide.deployment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * The Open Inference Protocol driven by Triton's own Python client, and dynamic batching: answers in a batch are the
 * answers alone, and a full queue refuses. Task settings for these tests are in the test profile of
 * application.properties.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class OpenInferenceIT {

    static final List<String> TEXTS = List.of("a great film", "awful", "not bad at all , really",
            "the plot is thin but the cast is good and the music is lovely");

    /** Triton's client in its own virtual environment, installed by {@code ./finetide test}. */
    static Path clientPython() {
        String override = System.getenv("FINETIDE_CLIENTS_PYTHON");
        Path python = override != null
                ? Path.of(override)
                : Path.of(System.getProperty("finetide.root")).resolve(".run/clients-venv/bin/python");
        assertThat(python).as("Triton's Python client (run ./finetide test, which installs it)").isExecutable();
        return python;
    }

    @Test
    void tritonsOwnClientGetsHealthMetadataAndTheAnswersOfTheChampionAndOfAPinnedVersion() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            ModelBundle first = ServedTasks.tinyClassifier(tokenizer, 11);
            ModelBundle second = ServedTasks.tinyClassifier(tokenizer, 12);
            ServedTasks.store(store, "oip", 1, first);
            ServedTasks.store(store, "oip", 2, second);
            ServedTasks.send(p, ctx, ServedTasks.evaluated("oip", 1, true, ""));
            ServedTasks.send(p, ctx, ServedTasks.evaluated("oip", 2, true, "oip-m1"));
            await().atMost(Duration.ofSeconds(60)).until(() -> "oip-m2".equals(given().contentType(
                    "application/json").body("{\"texts\":[\"x\"]}").post("/api/v1/tasks/oip/predict").jsonPath()
                    .getString("modelId")));

            JsonNode seen = client("open_inference_client.py");
            JsonNode metadata = seen.get("metadata");
            assertThat(metadata.get("name").asText()).isEqualTo("oip");
            assertThat(metadata.get("versions").toString()).isEqualTo("[\"1\",\"2\"]");
            assertThat(metadata.at("/inputs/0/datatype").asText()).isEqualTo("BYTES");
            assertThat(metadata.at("/outputs/2/shape").toString()).isEqualTo("[-1,2]");
            assertThat(metadata.at("/parameters/labels").toString()).isEqualTo("[\"neg\",\"pos\"]");

            float[][] champion = locally(second);
            float[][] pinned = locally(first);
            assertAnswers(seen.get("json"), "2", champion);
            assertAnswers(seen.get("binary"), "2", champion);
            assertAnswers(seen.get("pinned"), "1", pinned);
            assertThat(seen.at("/json/id").asText()).isEqualTo("req-7");
            List<String> defaultLabels = new ArrayList<>();
            seen.get("default_labels").forEach(l -> defaultLabels.add(l.asText()));
            assertThat(defaultLabels).isEqualTo(labels(champion));
            // The ids of binary answers name them in feedback.
            List<java.util.Map<String, String>> feedback = new ArrayList<>();
            for (int i = 0; i < TEXTS.size(); i++) {
                feedback.add(java.util.Map.of("predictionId", seen.at("/default_prediction_ids/" + i).asText(),
                        "label", defaultLabels.get(i)));
            }
            assertThat(seen.at("/default_prediction_ids/0").asText()).startsWith("oip-m2.");
            given().contentType("application/json").body(feedback).post("/api/v1/tasks/oip/feedback").then()
                    .statusCode(202).body("accepted", equalTo(TEXTS.size()));
            assertThat(metadata.at("/outputs/3/name").asText()).isEqualTo("prediction_id");
            assertThat(seen.at("/unknown_model/status").asText()).isEqualTo("404");
            assertThat(seen.at("/unknown_model/message").asText()).contains("no version in service");
            assertThat(seen.at("/unknown_version/status").asText()).isEqualTo("404");
            assertThat(seen.at("/wrong_datatype/status").asText()).isEqualTo("400");
            assertThat(seen.at("/wrong_datatype/message").asText()).contains("must be BYTES");

            assertGrpc(champion, pinned);

            // The refusals are counted like any other serving request's.
            String metrics = given().get("/q/metrics").asString();
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_requests_total", "task", "oip", "endpoint",
                    "infer", "status", "400", "reason", "MALFORMED_PAYLOAD")).isEqualTo(1.0);
            assertThat(PrometheusText.sum(metrics, "finetide_deployment_requests_total", "task", "oip", "endpoint",
                    "infer", "status", "200")).isEqualTo(4.0);
        }
        // Malformed bodies: a reason, never a 500.
        given().body("{\"inputs\":[]}").post("/v2/models/oip/infer").then().statusCode(400).body("error",
                org.hamcrest.Matchers.containsString("one tensor, the texts, or two for pairs"));
        given().header("Inference-Header-Content-Length", "500").body("{}").post("/v2/models/oip/infer").then()
                .statusCode(400).body("error", org.hamcrest.Matchers.containsString("does not fit"));
        given().body("not json").post("/v2/models/oip/infer").then().statusCode(400);
        given().body("{\"inputs\":[{\"name\":\"t\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"a\"]}]}").post(
                "/v2/models/oip/infer").then().statusCode(400).body("error", org.hamcrest.Matchers.containsString(
                        "shape [2] but 1 elements"));
    }

    /**
     * A student distilled on snapshot 1 ({@code oipd-m1-d1}) shares the number 1 with the candidate of that snapshot:
     * the protocol names it {@code 1-d1}, and {@code /versions/1} is the candidate's. Before, both were version 1, and
     * {@code /versions/1} answered with the student once it was the champion.
     */
    @Test
    void aStudentIsAVersionOfItsOwnBesideTheCandidateOfItsSnapshot() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        float[][] candidate;
        float[][] student;
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            ModelBundle first = ServedTasks.tinyClassifier(tokenizer, 31);
            ModelBundle distilled = ServedTasks.tinyClassifier(tokenizer, 32);
            candidate = locally(first);
            student = locally(distilled);
            ServedTasks.store(store, "oipd", 1, first);
            ServedTasks.store(store, "oipd", "oipd-m1-d1", distilled);
            ServedTasks.send(p, ctx, ServedTasks.evaluated("oipd", 1, true, ""));
            ServedTasks.send(p, ctx, ServedTasks.evaluated("oipd", "oipd-m1-d1", 1, true, "oipd-m1"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> "oipd-m1-d1".equals(given().contentType(
                "application/json").body("{\"texts\":[\"x\"]}").post("/api/v1/tasks/oipd/predict").jsonPath()
                .getString("modelId")));
        given().get("/v2/models/oipd").then().statusCode(200).body("versions", equalTo(List.of("1", "1-d1")));
        given().get("/v2/models/oipd/versions/1-d1").then().statusCode(200).body("parameters.model_id", equalTo(
                "oipd-m1-d1"));
        assertProbabilities(infer("/v2/models/oipd/versions/1/infer"), "1", candidate);
        assertProbabilities(infer("/v2/models/oipd/versions/1-d1/infer"), "1-d1", student);
        assertProbabilities(infer("/v2/models/oipd/infer"), "1-d1", student);
    }

    private static JsonNode infer(String path) throws Exception {
        StringBuilder data = new StringBuilder();
        for (String t : TEXTS) {
            data.append(data.length() == 0 ? "" : ",").append('"').append(t).append('"');
        }
        Response r = given().contentType("application/json").body("{\"inputs\":[{\"name\":\"text\","
                + "\"datatype\":\"BYTES\",\"shape\":[" + TEXTS.size() + "],\"data\":[" + data + "]}]}").post(path);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return new ObjectMapper().readTree(r.asString());
    }

    private static void assertProbabilities(JsonNode answer, String version, float[][] expected) {
        assertThat(answer.get("model_version").asText()).isEqualTo(version);
        JsonNode probabilities = null;
        for (JsonNode output : answer.get("outputs")) {
            if (output.get("name").asText().equals("probabilities")) {
                probabilities = output.get("data");
            }
        }
        assertThat(probabilities).as(answer.toString()).isNotNull();
        for (int i = 0; i < expected.length; i++) {
            for (int k = 0; k < 2; k++) {
                assertThat(probabilities.get(i * 2 + k).floatValue()).isCloseTo(expected[i][k],
                        org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    /**
     * A pair classifier through the protocol, asked by Triton's own clients with two inputs, {@code text} and
     * {@code text_pair} (binary tensors over HTTP, in either order; gRPC): the probabilities of the pairs computed
     * locally. Before, the protocol refused every pair model.
     */
    @Test
    void aPairClassifierAnswersTritonsClientsGivenTextAndTextPair() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        List<String> first = List.of("a gripping film", "the plot is thin");
        List<String> second = List.of("film gripping a", "a thin plot");
        float[][] expected;
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ModelBundle single = ServedTasks.tinyClassifier(tokenizer, 21);
            ModelBundle pairs = new ModelBundle(single.config(), single.tokenizerName(), single.maxSeqLength(), single
                    .truncation(), single.labels(), single.weights(), single.tokenizerJson(),
                    java.util.Map.of(
                            ModelBundle.TEXT_PAIRS, true));
            try (Classifier c = Classifier.load(pairs, 1)) {
                expected = c.predictPairs(first, second).stream().map(Classifier.Prediction::probabilities).toArray(
                        float[][]::new);
            }
            ServedTasks.store(new ArtifactStore(client.getDatabase(ctx.artifactsDatabase())), "oip-pairs", 1, pairs);
            ServedTasks.send(p, ctx, ServedTasks.evaluated("oip-pairs", 1, true, ""));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/v2/models/oip-pairs/ready")
                .statusCode() == 200);
        List<String> command = new ArrayList<>(List.of(clientPython().toString(), Path.of("src/test/python",
                "open_inference_pair_client.py").toString(), "127.0.0.1:" + RestAssured.port, "oip-pairs"));
        for (int i = 0; i < first.size(); i++) {
            command.add(first.get(i));
            command.add(second.get(i));
        }
        JsonNode seen = new ObjectMapper().readTree(run(command));
        assertThat(seen.at("/http_metadata/inputs/0/name").asText()).isEqualTo("text");
        assertThat(seen.at("/http_metadata/inputs/1/name").asText()).isEqualTo("text_pair");
        assertThat(seen.at("/grpc_metadata/inputs/1/name").asText()).isEqualTo("text_pair");
        for (String answer : List.of("http", "http_reversed_order", "grpc")) {
            for (int i = 0; i < first.size(); i++) {
                for (int k = 0; k < 2; k++) {
                    assertThat(seen.get(answer).get(i).get(k).floatValue()).as(answer).isCloseTo(expected[i][k],
                            org.assertj.core.data.Offset.offset(1e-6f));
                }
            }
        }
        assertThat(seen.at("/http_single/status").asText()).isEqualTo("400");
        assertThat(seen.at("/http_single/message").asText()).contains("'text' and 'text_pair'");
        // Inputs that are not a pair's, or of two lengths, are refused with the reason.
        String two = "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"a\"]},"
                + "{\"name\":\"%s\",\"datatype\":\"BYTES\",\"shape\":[%d],\"data\":%s}]}";
        given().body(two.formatted("other", 1, "[\"b\"]")).post("/v2/models/oip-pairs/infer").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("named 'text' and 'text_pair'"));
        given().body(two.formatted("text_pair", 2, "[\"b\",\"c\"]")).post("/v2/models/oip-pairs/infer").then()
                .statusCode(400).body("error", org.hamcrest.Matchers.containsString("as many texts: 1 and 2"));
        // A single-text classifier refuses a pair, naming its one input.
        given().body(two.formatted("text_pair", 1, "[\"b\"]")).post("/v2/models/oip/infer").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("classifies single texts"));
    }

    @Test
    void concurrentRequestsRunAsOneBatchAndEachGetsWhatItWouldAlone() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            texts.add("word ".repeat(1 + i % 7) + "number " + i);
        }
        serve("oip-batched", 21);
        ExecutorService pool = Executors.newFixedThreadPool(texts.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Response>> together = new ArrayList<>();
            for (String text : texts) {
                together.add(CompletableFuture.supplyAsync(() -> {
                    awaitQuietly(start);
                    return predict("oip-batched", text);
                }, pool));
            }
            start.countDown();
            List<Response> batched = together.stream().map(CompletableFuture::join).toList();
            // Within one batch (the task waits up to 500 ms for company); the same texts alone, one at a time.
            for (int i = 0; i < texts.size(); i++) {
                Response alone = predict("oip-batched", texts.get(i));
                assertThat(batched.get(i).statusCode()).isEqualTo(200);
                for (String label : ServedTasks.LABELS) {
                    String path = "predictions[0].probabilities." + label;
                    // Equal to float rounding: a run's row count may change how the CPU's kernels round.
                    assertThat(batched.get(i).jsonPath().getFloat(path)).as(texts.get(i)).isCloseTo(alone.jsonPath()
                            .getFloat(path), org.assertj.core.data.Offset.offset(1e-6f));
                }
                assertThat(batched.get(i).jsonPath().getString("predictions[0].label")).isEqualTo(alone.jsonPath()
                        .getString("predictions[0].label"));
            }
        } finally {
            pool.shutdownNow();
        }
        String metrics = given().get("/q/metrics").asString();
        double batches = PrometheusText.sum(metrics, "finetide_deployment_batch_size_count", "task", "oip-batched");
        double textsRun = PrometheusText.sum(metrics, "finetide_deployment_batch_size_sum", "task", "oip-batched");
        assertThat(textsRun).isEqualTo(2.0 * texts.size());
        // 16 alone, and the concurrent 16 in fewer batches than requests.
        assertThat(batches).isLessThan(2.0 * texts.size()).isGreaterThan(texts.size());
        assertThat(PrometheusText.sum(metrics, "finetide_deployment_batch_requests_max", "task", "oip-batched"))
                .isGreaterThan(1.0);
    }

    @Test
    void aFullQueueRefusesWithTooManyRequestsAndTheQueuedRequestIsStillAnswered() throws Exception {
        serve("oip-narrow", 31);
        // The task holds one text and waits 5 s for company: the first request fills the queue.
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> predict("oip-narrow", "first"));
        await().atMost(Duration.ofSeconds(4)).until(() -> PrometheusText.sum(given().get("/q/metrics").asString(),
                "finetide_deployment_batch_queued", "task", "oip-narrow", "endpoint", "predict") == 1.0);
        Response refused = predict("oip-narrow", "second");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.jsonPath().getString("reason")).isEqualTo("QUEUE_FULL");
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        given().body("{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"third\"]}]}")
                .post("/v2/models/oip-narrow/infer").then().statusCode(429).body("error", org.hamcrest.Matchers
                        .containsString("retry later"));
        assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        String metrics = given().get("/q/metrics").asString();
        assertThat(PrometheusText.sum(metrics, "finetide_deployment_requests_total", "task", "oip-narrow", "status",
                "429", "reason", "QUEUE_FULL")).isEqualTo(2.0);
    }

    private static void serve(String task, long seed) throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (MongoClient client = MongoClients.create(ctx.mongoUri());
                Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16);
                KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            ServedTasks.store(new ArtifactStore(client.getDatabase(ctx.artifactsDatabase())), task, 1, ServedTasks
                    .tinyClassifier(tokenizer, seed));
            ServedTasks.send(p, ctx, ServedTasks.evaluated(task, 1, true, ""));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/v2/models/" + task + "/ready")
                .statusCode() == 200);
    }

    private static Response predict(String task, String text) {
        return given().contentType("application/json").body(java.util.Map.of("texts", List.of(text))).post(
                "/api/v1/tasks/" + task + "/predict");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static float[][] locally(ModelBundle bundle) {
        try (Classifier c = Classifier.load(bundle, 1)) {
            return c.probabilities(TEXTS);
        }
    }

    private static List<String> labels(float[][] probabilities) {
        List<String> out = new ArrayList<>();
        for (float[] p : probabilities) {
            out.add(ServedTasks.LABELS.get(p[1] > p[0] ? 1 : 0));
        }
        return out;
    }

    /** The same protocol over gRPC, on the HTTP port, with Triton's gRPC client: the same answers. */
    private static void assertGrpc(float[][] champion, float[][] pinned) throws Exception {
        JsonNode seen = client("open_inference_grpc_client.py");
        assertThat(seen.at("/metadata/versions").toString()).isEqualTo("[\"1\",\"2\"]");
        assertThat(seen.at("/metadata/inputs/0/datatype").asText()).isEqualTo("BYTES");
        assertThat(seen.at("/metadata/outputs/2/name").asText()).isEqualTo("probabilities");
        assertThat(seen.at("/metadata/outputs/2/shape").toString()).isEqualTo("[\"-1\",\"2\"]");
        assertAnswers(seen.get("champion"), "2", champion);
        assertAnswers(seen.get("pinned"), "1", pinned);
        assertThat(seen.at("/champion/id").asText()).isEqualTo("req-9");
        assertThat(seen.at("/champion/prediction_ids/0").asText()).startsWith("oip-m2.");
        assertThat(seen.at("/pinned/prediction_ids/0").asText()).startsWith("oip-m1.");
        assertThat(seen.at("/unknown_model/status").asText()).isEqualTo("StatusCode.NOT_FOUND");
        assertThat(seen.at("/unknown_model/message").asText()).contains("no version in service");
        assertThat(seen.at("/unknown_version/status").asText()).isEqualTo("StatusCode.NOT_FOUND");
        assertThat(seen.at("/unknown_output/status").asText()).isEqualTo("StatusCode.INVALID_ARGUMENT");
        assertThat(seen.at("/unknown_output/message").asText()).contains("unknown output 'no-such-output'");
        assertThat(seen.at("/wrong_datatype/status").asText()).isEqualTo("StatusCode.INVALID_ARGUMENT");
        assertThat(seen.at("/wrong_datatype/message").asText()).contains("must be BYTES");
        String metrics = given().get("/q/metrics").asString();
        assertThat(PrometheusText.sum(metrics, "finetide_deployment_requests_total", "task", "oip", "endpoint",
                "grpc-infer", "status", "200")).isEqualTo(2.0);
    }

    /**
     * What a client script saw of task {@code oip} (pinned version 1, {@link #TEXTS}), once its health and readiness
     * answers are checked: live, ready, the server named finetide, the model ready and an unknown one not.
     */
    private static JsonNode client(String script) throws Exception {
        List<String> command = new ArrayList<>(List.of(clientPython().toString(), Path.of("src/test/python", script)
                .toString(), "127.0.0.1:" + RestAssured.port, "oip", "1"));
        command.addAll(TEXTS);
        JsonNode seen = new ObjectMapper().readTree(run(command));
        assertThat(seen.get("live").asBoolean()).isTrue();
        assertThat(seen.get("ready").asBoolean()).isTrue();
        assertThat(seen.at("/server/name").asText()).isEqualTo("finetide");
        assertThat(seen.get("model_ready").asBoolean()).isTrue();
        assertThat(seen.get("unknown_model_ready").asBoolean()).isFalse();
        return seen;
    }

    private static void assertAnswers(JsonNode answer, String version, float[][] expected) {
        assertThat(answer.get("model_name").asText()).isEqualTo("oip");
        assertThat(answer.get("model_version").asText()).isEqualTo(version);
        List<String> labels = new ArrayList<>();
        answer.get("labels").forEach(l -> labels.add(l.asText()));
        assertThat(labels).isEqualTo(labels(expected));
        for (int i = 0; i < expected.length; i++) {
            float best = Math.max(expected[i][0], expected[i][1]);
            assertThat(answer.get("confidences").get(i).floatValue()).isCloseTo(best, org.assertj.core.data.Offset
                    .offset(1e-6f));
            for (int k = 0; k < 2; k++) {
                assertThat(answer.get("probabilities").get(i).get(k).floatValue()).isCloseTo(expected[i][k],
                        org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("the client failed: %s", errors.get()).isZero();
        return out;
    }
}
