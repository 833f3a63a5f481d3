package io.finetide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.launcher.DemoDriver;
import io.finetide.launcher.EventWatcher;
import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.PlatformClient;
import io.finetide.launcher.Producers;
import io.finetide.launcher.monitoring.MonitoringAssets;
import io.finetide.launcher.monitoring.PromQl;
import io.finetide.launcher.monitoring.PrometheusServer;
import io.finetide.launcher.secrets.SecretSearch;
import io.finetide.launcher.transport.ScramUser;
import io.finetide.launcher.transport.TransportSecurity;
import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.text.SimHash;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;

/**
 * The five packaged services, each its own process, against a real Kafka broker process and FerretDB: a stream of
 * labelled SST-2 sentences becomes a promoted, serving model; a second wave a new candidate that the gate judges;
 * malformed records are dead-lettered with reasons while the rest flows, and the counts add up. All of it over TLS:
 * the services answer HTTPS only (API keys on), and each reaches Kafka on SASL_SSL as its own SCRAM user, held to the ACLs its
 * production {@code KafkaUser} has ({@link io.finetide.launcher.Transport#TLS}); Prometheus scrapes them over HTTPS.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {

    static final String TASK = "it-sst2";
    /** API keys are on: every call of the test carries this one. */
    static final String ADMIN_KEY = "pipeline-admin-" + java.util.UUID.randomUUID();
    static final ObjectMapper JSON = new ObjectMapper();
    static LocalPlatform platform;
    static EventWatcher watcher;
    static PlatformClient client;

    @BeforeAll
    static void start() throws Exception {
        Path root = LocalPaths.projectRoot();
        Path work = Files.createTempDirectory(root.resolve("integration-tests/target"), "platform-");
        LocalPlatform.Options options = LocalPlatform.Options.isolated(root, work);
        // A real Prometheus scrapes the five services every second from the start, with Finetide's alerting rules.
        options = options.with(options.monitoring().started().every(Duration.ofSeconds(1))).secured().withEnv(Map
                .of("FINETIDE_SECURITY_API_KEYS", ADMIN_KEY + "=admin"));
        platform = LocalPlatform.start(options, System.out::println);
        watcher = new EventWatcher(platform, System.out::println, 0);
        client = new PlatformClient(platform, ADMIN_KEY);
    }

    @AfterAll
    static void stop() {
        if (watcher != null) {
            watcher.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void streamToPromotedModelThenGateThenLineageWithBadRecordsAccountedFor() throws Exception {
        Path data = LocalPaths.projectRoot().resolve("../shared/datasets/sst2-sentences").normalize();
        List<DemoDriver.Example> train = DemoDriver.read(data.resolve("stsa.binary.train"), "it-");
        String task = """
                {"name": "%s", "labels": ["negative", "positive"],
                 "model": {"baseModel": "random", "layers": 1, "hiddenSize": 64, "heads": 2, "ffnSize": 128, "maxSeqLen": 48},
                 "triggerMinNewExamples": 400, "maxTextBytes": 2000,
                 "triggers": {"debounceMillis": 500, "minIntervalSeconds": 5},
                 "hyperParameters": {"epochs": 3, "learningRate": 0.002, "batchSize": 32},
                 "promotionMargin": 0.01}
                """
                .formatted(TASK);
        assertThat(client.post("ingestion", "/api/v1/tasks", task).status()).isEqualTo(201);
        assertThat(client.post("ingestion", "/api/v1/tasks", "{\"name\": \"Bad!\", \"labels\": [\"x\"]}").status())
                .isEqualTo(422);

        List<String> bad = List.of(
                "{\"id\": \"bad-json\", \"task\": \"" + TASK + "\", \"text\": ",
                "{\"id\": \"bad-empty\", \"task\": \"" + TASK + "\", \"text\": \"  \", \"label\": \"positive\"}",
                "{\"id\": \"bad-task\", \"task\": \"nope\", \"text\": \"fine\", \"label\": \"positive\"}",
                "{\"id\": \"bad-label\", \"task\": \"" + TASK + "\", \"text\": \"fine\", \"label\": \"meh\"}",
                "{\"id\": \"bad-long\", \"task\": \"" + TASK + "\", \"text\": \"" + "x".repeat(2001)
                        + "\", \"label\": \"positive\"}");
        List<DemoDriver.Example> wave1 = train.subList(0, 600);
        List<DemoDriver.Example> wave2 = train.subList(600, 1200);
        try (KafkaProducer<String, byte[]> producer = Producers.bytes(platform)) {
            send(producer, wave1);
            for (String b : bad) {
                producer.send(new ProducerRecord<>(platform.topic(Topics.EXAMPLES_RAW), b.getBytes(
                        StandardCharsets.UTF_8)));
            }
            // A replayed record changes nothing.
            send(producer, wave1.subList(0, 50));
            producer.flush();

            ModelPromotedEvent first = watcher.awaitPromotion(p -> true, Duration.ofMinutes(8)).orElseThrow();
            assertThat(first.getModelId()).isEqualTo(TASK + "-m1");
            PlatformClient.Predictions p = client.predict(TASK, List.of("a wonderful , moving film", "dull"));
            assertThat(p.modelId()).isEqualTo(first.getModelId());
            assertThat(p.predictions()).extracting(PlatformClient.Prediction::label)
                    .allMatch(l -> l.equals("negative") || l.equals("positive"));

            send(producer, wave2);
            producer.flush();
        }
        ModelEvaluatedEvent second = watcher.awaitEvaluation(e -> e.getModelId().equals(TASK + "-m2"),
                Duration.ofMinutes(8)).orElseThrow();
        assertThat(second.getChampionModelId()).isEqualTo(TASK + "-m1");
        assertThat(second.getTrained().getParentModelId()).isEqualTo(TASK + "-m1");
        double gain = second.getCandidate().getMacroF1() - second.getChampion().getMacroF1();
        // The task's plain margin decides the policy rule; the candidate is blessed only if every gating rule passed.
        List<io.finetide.proto.v1.RuleOutcome> rules = second.getReport().getRulesList();
        assertThat(rules.stream().filter(r -> r.getRule() == io.finetide.proto.v1.GateRule.POLICY).findFirst()
                .orElseThrow().getPassed()).isEqualTo(gain >= 0.01 - 1e-12);
        assertThat(rules).extracting(io.finetide.proto.v1.RuleOutcome::getRule).contains(
                io.finetide.proto.v1.GateRule.CLASS_REGRESSION, io.finetide.proto.v1.GateRule.ROBUSTNESS);
        assertThat(second.getBlessed()).isEqualTo(rules.stream().allMatch(r -> !r.getGating() || r.getPassed()));
        assertThat(second.getReport().getSignificance().getResamples()).isEqualTo(1000);
        // Training calibrated the candidate: its report shows the fitted temperature.
        assertThat(second.getReport().getCandidateCalibration().getTemperature()).isPositive().isNotEqualTo(1.0);
        if (second.getBlessed()) {
            watcher.awaitPromotion(e -> e.getModelId().equals(TASK + "-m2"), Duration.ofMinutes(2)).orElseThrow();
        }

        JsonNode models = awaitModels(2);
        assertThat(models.get(0).get("modelId").asText()).isEqualTo(TASK + "-m1");
        assertThat(models.get(1).get("parentModelId").asText()).isEqualTo(TASK + "-m1");
        assertThat(models.get(1).get("snapshotId").asText()).isEqualTo(TASK + "-v2");
        assertThat(models.get(1).get("stage").asText()).isEqualTo(second.getBlessed() ? "CHAMPION" : "REJECTED");
        assertThat(models.get(0).get("stage").asText()).isEqualTo(second.getBlessed() ? "RETIRED" : "CHAMPION");
        // The registry keeps each model's size and latency as its evaluation measured them.
        io.finetide.proto.v1.ServingCost cost = second.getReport().getCandidateCost();
        assertThat(models.get(1).get("parameters").asLong()).isEqualTo(cost.getParameters()).isPositive();
        assertThat(models.get(1).get("bundleBytes").asLong()).isEqualTo(cost.getBundleBytes()).isPositive();
        assertThat(models.get(1).get("latencyMsP50").asDouble()).isEqualTo(cost.getLatencyMsP50());
        assertThat(second.getReport().getChampionCost().getParameters()).isEqualTo(cost.getParameters());

        // Accounting: every distinct produced record is either stored or rejected, none lost, none twice.
        Map<String, Long> reasons = watcher.rejectedByReason();
        assertThat(reasons).containsEntry("MALFORMED_PAYLOAD", 1L).containsEntry("EMPTY_TEXT", 1L)
                .containsEntry("UNKNOWN_TASK", 1L).containsEntry("UNKNOWN_LABEL", 1L)
                .containsEntry("TEXT_TOO_LONG", 1L).hasSize(5);
        String metrics = client.getText("ingestion", "/q/metrics");
        long stored = (long) metric(metrics, "finetide_ingestion_examples_stored_total");
        long duplicates = (long) metric(metrics, "finetide_ingestion_examples_duplicates_total");
        // The same sentence under two ids is stored once (exact duplicates by normalised text).
        java.util.Set<String> contents = new java.util.HashSet<>();
        List<String> firstOfTheirText = new java.util.ArrayList<>();
        for (DemoDriver.Example e : train.subList(0, wave1.size() + wave2.size())) {
            if (contents.add(SimHash.contentHash(e.text()))) {
                firstOfTheirText.add(e.id());
            }
        }
        long distinct = contents.size();
        assertThat(stored).isEqualTo(distinct);
        assertThat(duplicates).isEqualTo(50 + wave1.size() + wave2.size() - distinct);
        assertThat(stored + duplicates + watcher.rejected()).isEqualTo(wave1.size() + 50 + wave2.size() + bad
                .size());
        assertThat(watcher.labelled()).isEqualTo(distinct);

        // A subject's erasure crosses the processes: ingestion deletes and announces it, preprocessing drops the
        // examples, and the next snapshot (asked for by hand) no longer holds them.
        List<String> erased = List.of(firstOfTheirText.get(0), firstOfTheirText.get(1), firstOfTheirText.get(
                firstOfTheirText.size() - 1));
        assertThat(client.post("ingestion", "/api/v1/tasks/" + TASK + "/examples/deletions", Map.of("ids", erased,
                "reason", "erasure request")).status()).isEqualTo(200);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> metric(client.getText(
                "preprocessing", "/q/metrics"), "finetide_preprocessing_examples_deleted_total") == 3.0);
        long prepared = client.get("preprocessing", "/api/v1/tasks/" + TASK + "/preparation").body().get("sequence")
                .asLong();
        int before = watcher.snapshots().size();
        assertThat(client.post("preprocessing", "/api/v1/tasks/" + TASK + "/snapshots", "").status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(1)).until(() -> watcher.snapshots().size() > before);
        DatasetSnapshotEvent manual = watcher.snapshots().get(before);
        assertThat(manual.getTriggerReasonsList()).containsExactly("manual: requested");
        assertThat(manual.getCounts().getTrain() + manual.getCounts().getValidation() + manual.getCounts().getTest())
                .isEqualTo(prepared - 3);
        assertThat(metric(client.getText("ingestion", "/q/metrics"), "finetide_ingestion_examples_stored_total"))
                .isEqualTo((double) stored);

        everyDashboardPanelAndAlertReadsTheLivePlatform();
        noSecretInWhatThePlatformWrote();
    }

    /**
     * After all of it (two trained models, a study, promotions): the API key every call carried and every password of
     * the TLS platform are in no record of any topic, log, metrics page or stored artifact (the model bundles).
     */
    private void noSecretInWhatThePlatformWrote() {
        List<String> secrets = new java.util.ArrayList<>(platform.transportSecurity().orElseThrow().secrets());
        secrets.add(ADMIN_KEY);
        Map<String, String> metrics = new java.util.LinkedHashMap<>();
        LocalPlatform.SERVICES.forEach(s -> metrics.put(s + " metrics", platform.url(s) + "/q/metrics"));
        SecretSearch search = new SecretSearch(secrets).topics(platform.kafkaClient(), Topics.ALL.stream().map(
                platform::topic).toList()).logs(platform.options().workDir().resolve("logs")).pages(platform
                        .httpClient().build(), metrics)
                .artifacts(platform.mongoUri(), platform.options().database());
        assertThat(search.findings()).isEmpty();
        assertThat(search.read()).containsEntry("pages", 5L).containsEntry("log files", 8L);
        assertThat(search.read().get("records")).isGreaterThan(1000);
        assertThat(search.read().get("artifacts")).isGreaterThan(2);
    }

    /**
     * People in the loop (an unlabelled example with an e-mail address in it, labelled by an annotator) and a
     * caller's mistake, so that every stage has spoken; then every PromQL expression of every dashboard panel, and
     * every annotation and alert, goes to Prometheus's HTTP API. A panel must return series; an alert (which a
     * healthy platform does not fire) must evaluate without error, every metric it reads must exist, and the signal
     * under its threshold must return series.
     */
    private void everyDashboardPanelAndAlertReadsTheLivePlatform() {
        // A second task that redacts personal data (the first keeps its texts as they are, for the counts above).
        String privateTask = TASK + "-private";
        assertThat(client.post("ingestion", "/api/v1/tasks", Map.of("name", privateTask, "labels", List.of(
                "negative", "positive"), "privacy", Map.of("redactPii", true))).status()).isEqualTo(201);
        List<Map<String, String>> unlabelled = List.of(Map.of("id", "pii-1", "task", privateTask, "text",
                "write to jane.doe@example.com about this wonderful film"),
                Map.of("id", "pii-2", "task", privateTask,
                        "text", "a dull and tedious afternoon"));
        assertThat(client.post("ingestion", "/api/v1/examples", unlabelled).status()).isEqualTo(200);
        assertThat(client.post("ingestion", "/api/v1/labels", List.of(Map.of("task", privateTask, "id", "pii-1",
                "label", "positive", "annotator", "it-annotator"))).status()).isEqualTo(200);
        assertThat(client.post("deployment", "/api/v1/tasks/" + TASK + "/predict", Map.of("texts", List.of()))
                .status()).isEqualTo(400);
        // Live feedback on one answer, so that the champion has live figures.
        PlatformClient.Prediction answered = client.predict(TASK, List.of("a wonderful film")).predictions().get(0);
        assertThat(client.post("deployment", "/api/v1/tasks/" + TASK + "/feedback", List.of(Map.of("predictionId",
                answered.predictionId(), "label", "positive"))).status()).isEqualTo(202);

        // A small study on the task's snapshot (two one-epoch trials), for the studies' panels.
        PlatformClient.Answer study = client.post("training", "/api/v1/tasks/" + TASK + "/studies", """
                {"sampler": "GRID", "trials": 2, "parameters": [{"name": "learningRate", "values": [0.002, 0.001]},
                 {"name": "epochs", "values": [1]}]}""");
        assertThat(study.status()).as(String.valueOf(study.body())).isEqualTo(201);
        String studyPath = "/api/v1/tasks/" + TASK + "/studies/" + study.body().get("id").asText();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> client.get("training",
                studyPath).body().get("state").asText().equals("COMPLETE"));
        assertThat(client.get("training", studyPath).body().get("trialsByState").get("COMPLETE").asInt()).isEqualTo(2);

        PrometheusServer prometheus = platform.prometheus().orElseThrow();
        List<MonitoringAssets.Query> queries = new MonitoringAssets(LocalPaths.projectRoot()).allQueries();
        assertThat(queries).hasSizeGreaterThan(80);
        // Rates need two scrapes after the last change: wait until everything answers, or report what does not.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(prometheus.allTargetsUp()).as("every service scraped").isTrue();
            List<String> failing = new java.util.ArrayList<>();
            for (MonitoringAssets.Query q : queries) {
                String expr = PromQl.asGrafanaSends(q.expr());
                PrometheusServer.Answer whole = prometheus.query(expr);
                if (!whole.ok()) {
                    failing.add(q.source() + ": " + whole.error() + "\n    " + expr);
                    continue;
                }
                if (q.kind() == MonitoringAssets.Kind.PANEL && whole.series() == 0) {
                    failing.add(q.source() + ": no series\n    " + expr);
                }
                for (String metric : PromQl.metricNames(expr)) {
                    if (prometheus.query("group by (__name__) ({__name__=\"" + metric + "\"})").series() == 0) {
                        failing.add(q.source() + ": no metric " + metric);
                    }
                }
                PromQl.signal(expr).filter(signal -> q.kind() != MonitoringAssets.Kind.PANEL).ifPresent(
                        signal -> {
                            if (prometheus.query(signal).series() == 0) {
                                failing.add(q.source() + ": no series under the threshold\n    " + signal);
                            }
                        });
            }
            assertThat(failing).as("expressions that do not read the live platform").isEmpty();
        });
    }

    private static JsonNode awaitModels(int n) {
        JsonNode[] models = new JsonNode[1];
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
            models[0] = client.get("deployment", "/api/v1/tasks/" + TASK + "/models").body();
            return models[0].size() >= n && !models[0].get(n - 1).get("stage").asText().equals("CANDIDATE");
        });
        return models[0];
    }

    @Test
    @Order(2)
    void onlyThePlatformsOwnPartiesGetIn() throws Exception {
        TransportSecurity security = platform.transportSecurity().orElseThrow();
        String raw = platform.topic(Topics.EXAMPLES_RAW);
        Map<String, Object> admin = platform.kafkaClient();

        // Kafka: no connection without TLS and a known user; a service user only where its channels go.
        Map<String, Object> plain = Map.of("bootstrap.servers", platform.bootstrap());
        assertThat(topicsSeenBy(plain)).isInstanceOf(TimeoutException.class);
        Map<String, Object> wrongPassword = new java.util.HashMap<>(admin);
        wrongPassword.put("sasl.jaas.config", new ScramUser(security.admin().name(), "not-the-password")
                .jaasConfig());
        assertThat(topicsSeenBy(wrongPassword)).isInstanceOf(SaslAuthenticationException.class);
        assertThat(topicsSeenBy(admin)).isInstanceOf(Set.class).asString().contains(raw);
        // Deployment neither reads nor writes raw examples: its user does not even see the topic.
        Map<String, Object> deployment = security.kafkaClient(platform.bootstrap(), security.services().get(
                "deployment"));
        assertThat(topicsSeenBy(deployment)).asString().doesNotContain(raw).contains(platform.topic(
                Topics.MODELS_PROMOTED));
        Properties asDeployment = new Properties();
        asDeployment.putAll(deployment);
        asDeployment.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        asDeployment.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        asDeployment.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(asDeployment)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(raw, "x".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
        }

        // HTTP: plain requests are not served; HTTPS with the platform's certificate is.
        String https = platform.url("ingestion");
        assertThat(https).startsWith("https://");
        HttpClient plainHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plainHttp.send(HttpRequest.newBuilder(URI.create(https.replace("https://",
                "http://") + "/q/health/ready")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers
                        .ofString()))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> plainHttp.send(HttpRequest.newBuilder(URI.create(https + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        assertThat(client.get("ingestion", "/q/health/ready").status()).isEqualTo(200);
        // And on HTTPS, a change without a key is refused.
        HttpResponse<String> keyless = platform.httpClient().build().send(HttpRequest.newBuilder(URI.create(https
                + "/api/v1/tasks")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"keyless\", \"labels\": [\"a\", \"b\"]}"))
                .build(),
                HttpResponse.BodyHandlers
                        .ofString());
        assertThat(keyless.statusCode()).isEqualTo(401);
    }

    /** The topics a Kafka client with these settings may see, or what stopped it. */
    private static Object topicsSeenBy(Map<String, Object> settings) {
        Map<String, Object> p = new java.util.HashMap<>(settings);
        p.put("request.timeout.ms", 5_000);
        p.put("default.api.timeout.ms", 10_000);
        try (Admin a = Admin.create(p)) {
            return a.listTopics().names().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    private static double metric(String prometheus, String name) {
        double sum = 0;
        for (String line : prometheus.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /**
     * A text-pair task through the five processes (after the first test's accounting, which counts every task's
     * records): pairs are ingested, prepared, trained on with segment ids, judged and served; the served champion
     * answers pairs only.
     */
    @Test
    @Order(3)
    void aTextPairTaskIsTrainedPromotedAndServesPairs() throws Exception {
        String pairTask = "it-pairs";
        String task = """
                {"name": "%s", "type": "TEXT_PAIR_CLASSIFICATION", "labels": ["different", "same"],
                 "model": {"baseModel": "random", "layers": 1, "hiddenSize": 64, "heads": 2, "ffnSize": 128, "maxSeqLen": 64},
                 "triggerMinNewExamples": 300, "maxTextBytes": 2000,
                 "triggers": {"debounceMillis": 500, "minIntervalSeconds": 5},
                 "hyperParameters": {"epochs": 2, "learningRate": 0.002, "batchSize": 32}}
                """
                .formatted(pairTask);
        assertThat(client.post("ingestion", "/api/v1/tasks", task).status()).isEqualTo(201);
        // A sentence with itself reordered is "same", with another sentence "different".
        List<DemoDriver.Example> sentences = DemoDriver.read(LocalPaths.projectRoot().resolve(
                "../shared/datasets/sst2-sentences/stsa.binary.train").normalize(), "pair-").subList(2000, 2400);
        int before = watcher.snapshots().size();
        try (KafkaProducer<String, byte[]> producer = Producers.bytes(platform)) {
            for (int i = 0; i < sentences.size(); i++) {
                String text = sentences.get(i).text();
                boolean same = i % 2 == 0;
                List<String> words = new java.util.ArrayList<>(List.of(text.split(" ")));
                java.util.Collections.reverse(words);
                String second = same ? String.join(" ", words) : sentences.get((i + 7) % sentences.size()).text();
                sendRaw(producer, Map.of("id", "p" + i, "task", pairTask, "text", text, "textPair", second, "label",
                        same ? "same" : "different"));
            }
            sendRaw(producer, Map.of("id", "p-alone", "task", pairTask, "text", "no second text", "label", "same"));
            producer.flush();
        }
        ModelPromotedEvent promoted = watcher.awaitPromotion(e -> e.getModelId().equals(pairTask + "-m1"), Duration
                .ofMinutes(8)).orElseThrow();
        assertThat(promoted.getMeta().getTask()).isEqualTo(pairTask);
        DatasetSnapshotEvent snapshot = watcher.snapshots().subList(before, watcher.snapshots().size()).stream()
                .filter(e -> e.getMeta().getTask().equals(pairTask)).findFirst().orElseThrow();
        assertThat(snapshot.getCounts().getTrain() + snapshot.getCounts().getValidation() + snapshot.getCounts()
                .getTest()).isBetween(300L, 400L);
        assertThat(watcher.rejectedByReason()).containsEntry("MISSING_FIELD", 1L);

        PlatformClient.Answer pairs = client.post("deployment", "/api/v1/tasks/" + pairTask + "/predict", Map.of(
                "texts", List.of("a gripping film", "the plot is thin"), "textPairs", List.of("film gripping a",
                        "an actor's finest hour")));
        assertThat(pairs.status()).isEqualTo(200);
        assertThat(pairs.body().get("modelId").asText()).isEqualTo(pairTask + "-m1");
        assertThat(pairs.body().get("predictions")).hasSize(2).allSatisfy(p -> assertThat(p.get("label").asText())
                .isIn("different", "same"));
        PlatformClient.Answer single = client.post("deployment", "/api/v1/tasks/" + pairTask + "/predict", Map.of(
                "texts", List.of("a gripping film")));
        assertThat(single.status()).isEqualTo(400);
        assertThat(single.body().get("reason").asText()).isEqualTo("MISSING_FIELD");
        PlatformClient.Answer card = client.get("deployment", "/api/v1/tasks/" + pairTask + "/models/" + pairTask
                + "-m1/card.json");
        assertThat(card.body().toString()).contains("TEXT_PAIR_CLASSIFICATION", "Classifies a pair of texts");
    }

    @Test
    void aGenerationTaskLearnsFromAnUploadedGpt2AndItsChampionWrites(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String writer = "it-writer";
        int vocab;
        try (io.finetide.model.tokenizer.Tokenizer minilm = io.finetide.model.tokenizer.Tokenizer.builtin("minilm-l6",
                16)) {
            vocab = minilm.vocabSize();
        }
        byte[] zip = io.finetide.model.pretrained.FolderArchive.zip(io.finetide.testing.Gpt2Folders.write(dir
                .resolve("gpt"), vocab, 32, 32, 2));
        assertThat(client.putBytes("training", "/api/v1/base-models/it-gpt", zip, "application/zip").status())
                .isEqualTo(201);
        String task = """
                {"name": "%s", "type": "TEXT_GENERATION", "model": {"baseModel": "user/it-gpt", "maxSeqLen": 16},
                 "triggerMinNewExamples": 200, "triggers": {"debounceMillis": 500, "minIntervalSeconds": 5},
                 "dedup": {"keepExactDuplicates": true},
                 "evaluation": {"generationMaxNewTokens": 4},
                 "hyperParameters": {"epochs": 20, "learningRate": 0.005, "batchSize": 16}}
                """.formatted(writer);
        PlatformClient.Answer created = client.post("ingestion", "/api/v1/tasks", task);
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        try (KafkaProducer<String, byte[]> producer = Producers.bytes(platform)) {
            for (io.finetide.platform.datasets.SnapshotFile.Row r : io.finetide.testing.CompletionRows.rows("c", 340,
                    21)) {
                sendRaw(producer, Map.of("id", r.id(), "task", writer, "prompt", r.text(), "completion", r
                        .completion()));
            }
            sendRaw(producer, Map.of("id", "c-no-completion", "task", writer, "prompt", "my fresh lime is coloured"));
            producer.flush();
        }
        ModelPromotedEvent promoted = watcher.awaitPromotion(e -> e.getModelId().equals(writer + "-m1"), Duration
                .ofMinutes(8)).orElseThrow();
        assertThat(promoted.getMeta().getTask()).isEqualTo(writer);
        PlatformClient.Answer verdict = client.get("evaluation", "/api/v1/tasks/" + writer + "/evaluations/" + writer
                + "-m1");
        assertThat(verdict.body().toString()).contains("ROUGE-L");
        PlatformClient.Answer written = client.post("deployment", "/api/v1/tasks/" + writer + "/generate", Map.of(
                "prompt", "my old banana is coloured"));
        assertThat(written.status()).as("%s", written.body()).isEqualTo(200);
        assertThat(written.body().get("modelId").asText()).isEqualTo(writer + "-m1");
        assertThat(written.body().get("text").asText()).isEqualTo("yellow");
        assertThat(written.body().get("finish").asText()).isEqualTo("END_OF_TEXT");
        PlatformClient.Answer predict = client.post("deployment", "/api/v1/tasks/" + writer + "/predict", Map.of(
                "texts", List.of("x")));
        assertThat(predict.status()).isEqualTo(409);
        PlatformClient.Answer card = client.get("deployment", "/api/v1/tasks/" + writer + "/models/" + writer
                + "-m1/card.json");
        assertThat(card.status()).isEqualTo(200);
        assertThat(card.body().toString()).contains("TEXT_GENERATION");
    }

    @Test
    void aT5TextToTextClassifierIsTrainedPromotedAndServed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String classifier = "it-t5";
        byte[] zip = io.finetide.testing.T5Folders.zipped(dir);
        PlatformClient.Answer uploaded = client.putBytes("training", "/api/v1/base-models/it-t5", zip,
                "application/zip");
        assertThat(uploaded.status()).isEqualTo(201);
        assertThat(uploaded.body().get("architecture").asText()).isEqualTo("transformer-encoder-decoder");
        // Dropout 0: a tiny random T5 learns nothing under dropout (TrainingFlowIT). The texts repeat (9 x 12 x 9 of
        // them): kept, or too few would arrive to train from.
        String task = """
                {"name": "%s", "labels": ["vehicle", "fruit"], "model": {"baseModel": "user/it-t5", "maxSeqLen": 16},
                 "triggerMinNewExamples": 200, "triggers": {"debounceMillis": 500, "minIntervalSeconds": 5},
                 "dedup": {"keepExactDuplicates": true},
                 "hyperParameters": {"epochs": 6, "learningRate": 0.02, "batchSize": 16, "dropout": 0}}
                """.formatted(classifier);
        PlatformClient.Answer created = client.post("ingestion", "/api/v1/tasks", task);
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        assertThat(created.body().get("model").get("architecture").asText()).isEqualTo("transformer-encoder-decoder");
        List<String> fillers = List.of("my", "the", "an", "old", "new", "big", "today", "here", "again");
        List<String> fruit = List.of("apple", "mango", "banana", "lemon", "plum", "grape");
        List<String> vehicles = List.of("truck", "car", "bus", "train", "bike", "van");
        java.util.Random r = new java.util.Random(17);
        try (KafkaProducer<String, byte[]> producer = Producers.bytes(platform)) {
            for (int i = 0; i < 340; i++) {
                boolean isFruit = r.nextBoolean();
                String text = fillers.get(r.nextInt(fillers.size())) + " " + (isFruit ? fruit : vehicles).get(r
                        .nextInt(6)) + " " + fillers.get(r.nextInt(fillers.size()));
                sendRaw(producer, Map.of("id", "t5-" + i, "task", classifier, "text", text, "label", isFruit
                        ? "fruit"
                        : "vehicle"));
            }
            producer.flush();
        }
        ModelPromotedEvent promoted = watcher.awaitPromotion(e -> e.getModelId().equals(classifier + "-m1"), Duration
                .ofMinutes(8)).orElseThrow();
        assertThat(promoted.getMeta().getTask()).isEqualTo(classifier);
        PlatformClient.Answer predicted = client.post("deployment", "/api/v1/tasks/" + classifier + "/predict", Map.of(
                "texts", List.of("an old mango here", "the red bus today")));
        assertThat(predicted.status()).as("%s", predicted.body()).isEqualTo(200);
        assertThat(predicted.body().get("modelId").asText()).isEqualTo(classifier + "-m1");
        assertThat(predicted.body().get("predictions").get(0).get("label").asText()).isEqualTo("fruit");
        assertThat(predicted.body().get("predictions").get(1).get("label").asText()).isEqualTo("vehicle");
        PlatformClient.Answer explained = client.post("deployment", "/api/v1/tasks/" + classifier + "/explain", Map
                .of("text", "an old mango here"));
        assertThat(explained.status()).isEqualTo(422);
        assertThat(explained.body().get("reason").asText()).isEqualTo("CANNOT_EXPLAIN");
        PlatformClient.Answer exported = client.get("deployment", "/api/v1/tasks/" + classifier + "/models/"
                + classifier + "-m1/savedmodel");
        assertThat(exported.status()).isEqualTo(409);
        assertThat(exported.body().get("reason").asText()).isEqualTo("NOT_EXPORTABLE");
        PlatformClient.Answer card = client.get("deployment", "/api/v1/tasks/" + classifier + "/models/" + classifier
                + "-m1/card.json");
        assertThat(card.status()).isEqualTo(200);
        assertThat(card.body().toString()).contains("user/it-t5");
    }

    /**
     * A sequence-to-sequence task across the five processes: inputs and targets through ingestion, a T5 trained to
     * write them, judged on ROUGE-L, promoted, and its champion writing targets through Finetide's API and the Open
     * Inference generate extension, greedily and by beam search.
     */
    @Test
    void aSequenceToSequenceTaskIsWrittenByAnUploadedT5(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String rewriter = "it-seq2seq";
        byte[] zip = io.finetide.testing.T5Folders.zipped(dir);
        assertThat(client.putBytes("training", "/api/v1/base-models/it-t5-writer", zip, "application/zip").status())
                .isEqualTo(201);
        String task = """
                {"name": "%s", "type": "SEQ2SEQ", "model": {"baseModel": "user/it-t5-writer", "maxSeqLen": 16},
                 "triggerMinNewExamples": 200, "triggers": {"debounceMillis": 500, "minIntervalSeconds": 5},
                 "dedup": {"keepExactDuplicates": true},
                 "evaluation": {"generationMaxNewTokens": 6},
                 "hyperParameters": {"epochs": 10, "learningRate": 0.01, "batchSize": 16, "dropout": 0,
                                     "selectionMetric": "VALIDATION_LOSS"}}
                """.formatted(rewriter);
        PlatformClient.Answer created = client.post("ingestion", "/api/v1/tasks", task);
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        try (KafkaProducer<String, byte[]> producer = Producers.bytes(platform)) {
            for (io.finetide.platform.datasets.SnapshotFile.Row r : io.finetide.testing.CompletionRows.colourAndFruit(
                    "s",
                    600, 23)) {
                sendRaw(producer, Map.of("id", r.id(), "task", rewriter, "input", r.text(), "target", r.completion()));
            }
            sendRaw(producer, Map.of("id", "s-no-target", "task", rewriter, "input", "my fresh lime"));
            producer.flush();
        }
        ModelPromotedEvent promoted = watcher.awaitPromotion(e -> e.getModelId().equals(rewriter + "-m1"), Duration
                .ofMinutes(8)).orElseThrow();
        assertThat(promoted.getMeta().getTask()).isEqualTo(rewriter);
        PlatformClient.Answer verdict = client.get("evaluation", "/api/v1/tasks/" + rewriter + "/evaluations/"
                + rewriter + "-m1");
        assertThat(verdict.body().toString()).contains("ROUGE-L");
        for (String decoding : List.of("GREEDY", "BEAM")) {
            PlatformClient.Answer written = client.post("deployment", "/api/v1/tasks/" + rewriter + "/generate", Map
                    .of("prompt", "my big plum", "decoding", decoding));
            assertThat(written.status()).as("%s", written.body()).isEqualTo(200);
            assertThat(written.body().get("modelId").asText()).isEqualTo(rewriter + "-m1");
            assertThat(written.body().get("text").asText()).as(decoding).isEqualTo("blue plum");
            assertThat(written.body().get("finish").asText()).isEqualTo("END_OF_TEXT");
        }
        PlatformClient.Answer v2 = client.post("deployment", "/v2/models/" + rewriter + "/generate", Map.of(
                "text_input", "the old lime"));
        assertThat(v2.status()).as("%s", v2.body()).isEqualTo(200);
        assertThat(v2.body().get("text_output").asText()).isEqualTo("green lime");
        PlatformClient.Answer predict = client.post("deployment", "/api/v1/tasks/" + rewriter + "/predict", Map.of(
                "texts", List.of("x")));
        assertThat(predict.status()).isEqualTo(409);
        PlatformClient.Answer card = client.get("deployment", "/api/v1/tasks/" + rewriter + "/models/" + rewriter
                + "-m1/card.json");
        assertThat(card.status()).isEqualTo(200);
        assertThat(card.body().toString()).contains("SEQ2SEQ", "Writes a target for an input");
    }

    private static void sendRaw(KafkaProducer<String, byte[]> producer, Map<String, String> record) throws Exception {
        producer.send(new ProducerRecord<>(platform.topic(Topics.EXAMPLES_RAW), record.get("id"), JSON
                .writeValueAsBytes(record)));
    }

    private static void send(KafkaProducer<String, byte[]> producer, List<DemoDriver.Example> examples)
            throws Exception {
        for (DemoDriver.Example e : examples) {
            String json = JSON.writeValueAsString(Map.of("id", e.id(), "task", TASK, "text", e.text(), "label",
                    e.label()));
            producer.send(new ProducerRecord<>(platform.topic(Topics.EXAMPLES_RAW), e.id(),
                    json.getBytes(StandardCharsets.UTF_8)));
        }
    }

}
