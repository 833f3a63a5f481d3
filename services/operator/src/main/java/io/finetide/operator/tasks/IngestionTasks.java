package io.finetide.operator.tasks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finetide.operator.config.OperatorConfig;
import io.finetide.operator.tasks.TaskApplication.Outcome;

/**
 * The ingestion service's task API, which owns task definitions: a definition is changed with {@code PUT} (the same
 * content again changes nothing, so applying on every resync is safe) and created with {@code POST} when there is
 * none yet.
 */
@ApplicationScoped
public class IngestionTasks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpClient http;

    @Inject
    OperatorConfig config;

    @jakarta.annotation.PostConstruct
    void connect() {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        config.ingestionCa().ifPresent(ca -> b.sslContext(TrustedAuthority.sslContext(java.nio.file.Path.of(ca))));
        http = b.build();
    }

    /** Applies {@code spec} (the task definition without its name) as task {@code name}. */
    public TaskApplication apply(String name, Map<String, Object> spec) {
        ObjectNode body = JSON.valueToTree(spec);
        body.put("name", name);
        String json = body.toString();
        try {
            HttpResponse<String> put = send(request("/api/v1/tasks/" + name).PUT(HttpRequest.BodyPublishers
                    .ofString(json)));
            if (put.statusCode() == 404) {
                HttpResponse<String> post = send(request("/api/v1/tasks").POST(HttpRequest.BodyPublishers.ofString(
                        json)));
                return answer(post, Outcome.CREATED);
            }
            return answer(put, Outcome.APPLIED);
        } catch (IOException e) {
            return new TaskApplication(Outcome.UNREACHABLE, 0, "ingestion unreachable at " + config.ingestionUrl()
                    + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TaskApplication(Outcome.UNREACHABLE, 0, "interrupted");
        }
    }

    private static TaskApplication answer(HttpResponse<String> response, Outcome success) {
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (status >= 200 && status < 300) {
            // POST answers 200 when another writer created the same definition first.
            Outcome outcome = status == 200 ? Outcome.APPLIED : success;
            return new TaskApplication(outcome, body.path("revision").asInt(0), "");
        }
        String reason = body.path("reason").asText("HTTP " + status);
        String message = body.path("message").asText(response.body());
        Outcome outcome = status >= 400 && status < 500 ? Outcome.REFUSED : Outcome.UNREACHABLE;
        return new TaskApplication(outcome, 0, reason + ": " + message);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.ingestionUrl() + path)).timeout(Duration
                .ofSeconds(30)).header("Content-Type", "application/json").header("Accept", "application/json");
        config.apiKey().ifPresent(key -> b.header("x-api-key", key));
        return b;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }
}
