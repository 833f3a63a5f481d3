package io.finetide.launcher.fuzz;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.secrets.SecretSearch;
import io.finetide.platform.topics.Topics;

/**
 * The fuzzing campaign ({@code ./finetide fuzz}): a platform with API keys on, a task to aim at, then Schemathesis
 * against every service's OpenAPI document, {@code httpInputs} QuickTheories-drawn calls to every documented operation,
 * {@code topicInputs} drawn records into every topic; at the end every service must still be healthy, and the keys
 * used must be in none of the topics, logs and metrics. The report
 * says what came of each input and every broken promise: a 5xx, a refusal without its reason, a call not answered, a
 * consumer that stopped, a dead letter without its reason.
 */
public final class FuzzCampaign {

    static final String TASK = "fuzz";
    static final JsonNode EXAMPLE = HttpFuzz.parse("""
            {"task": "fuzz", "id": "e-1", "text": "The refund came in two days.", "label": "positive"}""");

    /**
     * @param schemathesisExamples examples per operation for Schemathesis (0: not run)
     */
    public record Options(Path root, Path workDir, int httpInputs, int topicInputs, int schemathesisExamples,
            long seed) {
    }

    private final Options o;
    private final Consumer<String> say;
    private final HttpClient http = HttpClient.newHttpClient();

    public FuzzCampaign(Options options, Consumer<String> say) {
        this.o = options;
        this.say = say;
    }

    public FuzzReport run() throws Exception {
        LocalPlatform.Options options = LocalPlatform.Options.isolated(o.root(), o.workDir()).withEnv(Map.of(
                "FINETIDE_SECURITY_API_KEYS", HttpFuzz.ADMIN_KEY + "=admin"));
        List<FuzzReport.Line> lines = new ArrayList<>();
        try (LocalPlatform platform = LocalPlatform.start(options, say)) {
            // A task with a tiny model, and a few examples so that the topics hold real records to mutate.
            call(platform, "ingestion", "POST", "/api/v1/tasks", """
                    {"name": "%s", "labels": ["negative", "positive"], "triggerMinNewExamples": 1000000000,
                     "model": {"baseModel": "random", "layers": 1, "hiddenSize": 16, "heads": 1, "ffnSize": 32}}"""
                    .formatted(TASK), 201);
            call(platform, "ingestion", "POST", "/api/v1/examples", """
                    [{"task": "fuzz", "id": "seed-1", "text": "The refund came in two days.", "label": "positive"},
                     {"task": "fuzz", "id": "seed-2", "text": "Nobody answered my letters.", "label": "negative"}]""",
                    200);
            if (o.schemathesisExamples() > 0) {
                SchemathesisRun schemathesis = new SchemathesisRun(o.root(), say);
                schemathesis.install();
                for (String service : LocalPlatform.SERVICES) {
                    lines.add(schemathesis.run(service, platform.url(service), o.schemathesisExamples(), o.seed()));
                }
            }
            FuzzInputs.Draws draws = new FuzzInputs.Draws(o.seed());
            HttpFuzz httpFuzz = new HttpFuzz(draws, TASK, say);
            for (String service : LocalPlatform.SERVICES) {
                lines.addAll(httpFuzz.run(service, platform.url(service), o.httpInputs()));
            }
            // The studies those calls started would keep the one training instance busy with trials for hours
            // (116 of 10,000 POSTs at the default size): stopped, as an operator would, before the topics are fuzzed.
            stopStudies(platform);
            List<String> topics = Topics.ALL.stream().filter(t -> !t.equals(Topics.DEAD_LETTER)).map(
                    platform::topic).toList();
            lines.addAll(new TopicFuzz(platform.bootstrap(), draws, TASK, say).run(topics, platform.topic(
                    Topics.DEAD_LETTER), EXAMPLE, o.topicInputs(), Duration.ofMinutes(2)));
            for (String service : LocalPlatform.SERVICES) {
                lines.add(health(platform, service));
            }
            List<String> everyTopic = Topics.ALL.stream().map(platform::topic).toList();
            Map<String, String> metrics = new java.util.LinkedHashMap<>();
            LocalPlatform.SERVICES.forEach(s -> metrics.put(s, platform.url(s) + "/q/metrics"));
            // The keys the campaign presented (the admin key on nearly every call, a wrong one on some) must be in
            // none of what the platform wrote.
            SecretSearch search = new SecretSearch(List.of(HttpFuzz.ADMIN_KEY, HttpFuzz.WRONG_KEY)).topics(platform
                    .kafkaClient(), everyTopic).logs(o.workDir().resolve("logs")).pages(http, metrics).artifacts(
                            platform.mongoUri(), platform.options().database());
            FuzzReport.Tally tally = new FuzzReport.Tally("secrets in topics, logs, metrics and artifacts");
            search.read().forEach(tally::count);
            search.findings().forEach(tally::problem);
            tally.inputs(search.read().values().stream().mapToLong(Long::longValue).sum());
            FuzzReport.Line secrets = tally.line();
            say.accept(secrets.toString());
            lines.add(secrets);
        }
        return new FuzzReport(List.copyOf(lines));
    }

    private FuzzReport.Line health(LocalPlatform platform, String service) throws Exception {
        FuzzReport.Tally tally = new FuzzReport.Tally("health " + service);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(platform.url(service) + "/q/health"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = HttpFuzz.parse(r.body());
        boolean up = r.statusCode() == 200 && body != null && body.path("status").asText().equals("UP");
        tally.count(up ? "UP" : "not UP", 1);
        if (!up) {
            tally.problem(r.statusCode() + " " + r.body());
        }
        FuzzReport.Line line = tally.line();
        say.accept(line.toString());
        return line;
    }

    private void stopStudies(LocalPlatform platform) throws Exception {
        String studies = "/api/v1/tasks/" + TASK + "/studies";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(platform.url("training") + studies))
                .header("X-API-Key", HttpFuzz.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode listed = HttpFuzz.parse(r.body());
        int stopped = 0;
        for (JsonNode s : listed == null ? List.<JsonNode>of() : listed) {
            if (s.path("state").asText().equals("RUNNING")) {
                call(platform, "training", "POST", studies + "/" + s.path("id").asText() + "/stop", "", 202);
                stopped++;
            }
        }
        say.accept(stopped + " studies the calls started were stopped before the topics are fuzzed");
    }

    private void call(LocalPlatform platform, String service, String method, String path, String body, int expected)
            throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(platform.url(service) + path)).header(
                "X-API-Key", HttpFuzz.ADMIN_KEY).header("Content-Type", "application/json").method(method,
                        HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
