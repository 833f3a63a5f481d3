package io.finetide.it.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.ManagedProcess;
import io.finetide.launcher.kubernetes.KubeApiServer;
import io.finetide.launcher.kubernetes.Kubectl;
import io.finetide.platform.events.Events;
import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.TrainingProgressEvent;

/**
 * The operator as it runs in a cluster: a real API server with the CRD and the operator's RBAC from {@code k8s/base},
 * the operator process logged in with its own ServiceAccount's token (so its Role is proven enough), a running
 * ingestion service on a real broker and store. A FineTuningTask becomes a task; a changed spec a new revision; the
 * pipeline's snapshot, training and promotion events show in the status; an invalid spec is a condition with every
 * problem, and the operator goes on.
 */
class FineTuningTaskOperatorIT {

    static final Path ROOT = LocalPaths.projectRoot();
    static final String NS = "finetide-it";
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFineTuningTaskBecomesATaskAndItsStatusFollowsThePipeline() throws Exception {
        Path work = Files.createTempDirectory(ROOT.resolve("integration-tests/target"), "operator-");
        LocalPlatform.Options options = LocalPlatform.Options.isolated(ROOT, work).only(List.of("ingestion"));
        try (LocalPlatform platform = LocalPlatform.start(options, System.out::println);
                KubeApiServer server = KubeApiServer.start(ROOT, work.resolve("kube"));
                KafkaProducer<String, byte[]> producer = io.finetide.launcher.Producers.bytes(platform)) {
            Kubectl admin = new Kubectl(server.kubeconfig(), ROOT);
            admin.ok("create", "namespace", NS);
            admin.ok("apply", "--server-side", "-f", "k8s/base/crd-finetuningtasks.yaml");
            admin.ok("wait", "--for", "condition=Established", "--timeout=60s", "crd/finetuningtasks.finetide.io");
            // The operator's ServiceAccount, Role and RoleBinding as shipped (the Deployment and Service come along;
            // no pod runs here).
            admin.ok("apply", "--server-side", "-n", NS, "-f", "k8s/base/operator.yaml");
            String token = admin.ok("create", "token", "finetide-operator", "-n", NS, "--duration=2h").strip();
            Path operatorConfig = work.resolve("operator-kubeconfig");
            Files.writeString(operatorConfig, Files.readString(server.kubeconfig()).replaceAll("token: .*", "token: "
                    + token));
            Kubectl asOperator = new Kubectl(operatorConfig, ROOT);
            assertThat(asOperator.run("get", "secrets", "-n", NS).ok()).as("least privilege: no secrets").isFalse();
            assertThat(asOperator.run("get", "finetuningtasks", "-n", NS).ok()).isTrue();

            int port = LocalPaths.freePort();
            try (ManagedProcess operator = ManagedProcess.start("operator", List.of(java(), "-Xmx256m", "-jar", ROOT
                    .resolve("services/operator/target/quarkus-app/quarkus-run.jar").toString()), Map.of(
                            "KUBECONFIG", operatorConfig.toString(), "QUARKUS_HTTP_PORT", Integer.toString(port),
                            "KAFKA_BOOTSTRAP_SERVERS", platform.bootstrap(), Topics.SUFFIX_ENV, platform.options()
                                    .topicSuffix(),
                            "FINETIDE_OPERATOR_INGESTION_URL", platform.url("ingestion"),
                            "FINETIDE_OPERATOR_NAMESPACE", NS, "FINETIDE_OPERATOR_RETRY", "1s"),
                    work.resolve(
                            "logs/operator.log"))) {
                operator.awaitHttpOk("http://127.0.0.1:" + port + "/q/health/ready", Duration.ofMinutes(2));

                admin.ok("apply", "--server-side", "-n", NS, "-f", write(work, "sentiment.yaml", resource("reviews",
                        "epochs: 2")));
                await().atMost(Duration.ofMinutes(1)).until(() -> task(platform, "reviews").path("revision")
                        .asInt() == 1);
                JsonNode task = task(platform, "reviews");
                assertThat(task.path("labels")).hasSize(2);
                assertThat(task.path("hyperParameters").path("epochs").asInt()).isEqualTo(2);
                awaitStatus(admin, "reviews", s -> s.path("revision").asInt() == 1 && condition(s, "Ready").path(
                        "status").asText().equals("True") && s.path("observedGeneration").asLong() == 1);

                // A changed spec is a new revision of the same task.
                admin.ok("apply", "--server-side", "-n", NS, "-f", write(work, "sentiment.yaml", resource("reviews",
                        "epochs: 3")));
                await().atMost(Duration.ofMinutes(1)).until(() -> task(platform, "reviews").path("revision")
                        .asInt() == 2);
                assertThat(task(platform, "reviews").path("hyperParameters").path("epochs").asInt()).isEqualTo(3);
                awaitStatus(admin, "reviews", s -> s.path("revision").asInt() == 2 && s.path("observedGeneration")
                        .asLong() == 2);

                // What the pipeline announces shows in the status.
                send(producer, platform.topic(Topics.DATASETS_SNAPSHOTS), DatasetSnapshotEvent.newBuilder().setMeta(
                        Events.meta("reviews")).setSnapshotId("reviews-v1").setVersion(1).build().toByteArray());
                send(producer, platform.topic(Topics.TRAINING_PROGRESS), TrainingProgressEvent.newBuilder().setMeta(
                        Events.meta("reviews")).setRunId("run-1").setSnapshotId("reviews-v1").setPhase(
                                TrainingProgressEvent.Phase.STARTED)
                        .setEpoch(1).setEpochs(3).build().toByteArray());
                awaitStatus(admin, "reviews", s -> s.path("lastSnapshot").path("id").asText().equals("reviews-v1")
                        && condition(s, "Training").path("status").asText().equals("True"));
                send(producer, platform.topic(Topics.TRAINING_PROGRESS), TrainingProgressEvent.newBuilder().setMeta(
                        Events.meta("reviews")).setRunId("run-1").setSnapshotId("reviews-v1").setPhase(
                                TrainingProgressEvent.Phase.FINISHED)
                        .build().toByteArray());
                send(producer, platform.topic(Topics.MODELS_PROMOTED), ModelPromotedEvent.newBuilder().setMeta(Events
                        .meta("reviews")).setModelId("reviews-m1").setVersion(1).setTestMacroF1(0.91)
                        .setSnapshotId("reviews-v1").build().toByteArray());
                JsonNode promoted = awaitStatus(admin, "reviews", s -> s.path("champion").path("modelId").asText()
                        .equals("reviews-m1"));
                assertThat(promoted.path("champion").path("testMacroF1").asDouble()).isEqualTo(0.91);
                assertThat(promoted.path("lastPromotionTime").asText()).isNotBlank();
                assertThat(condition(promoted, "Training").path("reason").asText()).isEqualTo("RunFinished");
                assertThat(condition(promoted, "Degraded").path("status").asText()).isEqualTo("False");

                // An invalid spec is reported with every problem, and the operator carries on.
                admin.ok("apply", "--server-side", "-n", NS, "-f", write(work, "bad.yaml", resource("broken",
                        "learningRate: 2\n    weightDecay: -1")));
                JsonNode refused = awaitStatus(admin, "broken", s -> condition(s, "Ready").path("status").asText()
                        .equals("False"));
                assertThat(condition(refused, "Ready").path("reason").asText()).isEqualTo("InvalidSpec");
                assertThat(condition(refused, "Ready").path("message").asText()).contains(
                        "hyperParameters.learningRate", "hyperParameters.weightDecay");
                assertThat(http(platform.url("ingestion") + "/api/v1/tasks/broken").statusCode()).isEqualTo(404);
                // What the schema generated from the task definition refuses never reaches the operator.
                Kubectl.Result unknown = admin.run("apply", "--server-side", "-n", NS, "-f", write(work, "unknown.yaml",
                        resource("unknown", "epochs: 1").replace("  labels:", "  labelz: [a]\n  labels:")));
                assertThat(unknown.ok()).isFalse();
                assertThat(unknown.output()).contains("labelz");
                // Fixed, the same resource becomes a task: the refusal was a condition, not a stuck operator.
                admin.ok("apply", "--server-side", "-n", NS, "-f", write(work, "bad.yaml", resource("broken",
                        "learningRate: 0.001")));
                awaitStatus(admin, "broken", s -> condition(s, "Ready").path("status").asText().equals("True"));
                assertThat(operator.isAlive()).isTrue();
                assertThat(http("http://127.0.0.1:" + port + "/q/metrics").body().lines().filter(l -> l.startsWith(
                        "finetide_operator_reconciliations_total{") && l.contains("outcome=\"refused\"")))
                        .singleElement().satisfies(l -> assertThat(l).endsWith(" 1.0"));
            }
        }
    }

    static String resource(String name, String hyperParameters) {
        return """
                apiVersion: finetide.io/v1alpha1
                kind: FineTuningTask
                metadata:
                  name: %s
                spec:
                  labels: [negative, positive]
                  model:
                    baseModel: random
                    layers: 1
                    hiddenSize: 32
                    heads: 2
                    ffnSize: 64
                    maxSeqLen: 16
                  hyperParameters:
                    %s
                """.formatted(name, hyperParameters);
    }

    static JsonNode awaitStatus(Kubectl kubectl, String name, java.util.function.Predicate<JsonNode> until) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300)).until(() -> {
            last[0] = JSON.readTree(kubectl.ok("get", "finetuningtask", name, "-n", NS, "-o", "json")).path("status");
            return until.test(last[0]);
        });
        return last[0];
    }

    static JsonNode condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c;
            }
        }
        return JSON.createObjectNode();
    }

    static JsonNode task(LocalPlatform platform, String name) throws Exception {
        HttpResponse<String> r = http(platform.url("ingestion") + "/api/v1/tasks/" + name);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
    }

    static HttpResponse<String> http(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String write(Path dir, String file, String content) throws Exception {
        return Files.writeString(dir.resolve(file), content).toString();
    }

    static void send(KafkaProducer<String, byte[]> producer, String topic, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, "reviews", value)).get();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
