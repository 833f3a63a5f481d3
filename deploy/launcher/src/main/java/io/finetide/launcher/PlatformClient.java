package io.finetide.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The platform's HTTP APIs as a user calls them. */
public final class PlatformClient {

    /** One answer; {@code predictionId} names it in feedback. */
    public record Prediction(String label, double confidence, String predictionId) {
    }

    public record Predictions(String modelId, int version, List<Prediction> predictions) {
    }

    public record Answer(int status, JsonNode body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final LocalPlatform platform;
    private final String apiKey;

    public PlatformClient(LocalPlatform platform) {
        this(platform, null);
    }

    /** @param apiKey sent as {@code X-API-Key} with every call (null: none, for a platform without keys) */
    public PlatformClient(LocalPlatform platform, String apiKey) {
        this.platform = platform;
        this.apiKey = apiKey;
        this.http = platform.httpClient().connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpRequest.Builder request(String service, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(platform.url(service) + path));
        return apiKey == null ? b : b.header("X-API-Key", apiKey);
    }

    public Answer post(String service, String path, Object body) {
        return send("POST", service, path, body);
    }

    public Answer put(String service, String path, Object body) {
        return send("PUT", service, path, body);
    }

    /** A PUT of raw bytes (an uploaded archive) with their content type. */
    public Answer putBytes(String service, String path, byte[] body, String contentType) {
        return exchange("PUT", service, path, request(service, path).timeout(Duration.ofMinutes(2)).header(
                "Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private Answer exchange(String method, String service, String path, HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + service + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private Answer send(String method, String service, String path, Object body, String... headers) {
        String json;
        try {
            json = body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        HttpRequest.Builder request = request(service, path).timeout(Duration.ofMinutes(2)).header("Content-Type",
                "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return exchange(method, service, path, request);
    }

    public Answer get(String service, String path) {
        return exchange("GET", service, path, request(service, path).timeout(Duration.ofSeconds(30)).GET());
    }

    /** As {@link #get}, but a service that does not answer (killed, restarting) gives status 0 instead of failing. */
    public Answer tryGet(String service, String path) {
        try {
            return get(service, path);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof IOException) {
                return new Answer(0, null);
            }
            throw e;
        }
    }

    public String getText(String service, String path) {
        try {
            return http.send(request(service, path).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + service + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public Predictions predict(String task, List<String> texts) {
        return predict(task, texts, null);
    }

    /**
     * Predictions for {@code texts}; a {@code requestKey} (the {@code Finetide-Request-Key} header) keeps the caller
     * with one model while a canary takes a share of requests.
     */
    public Predictions predict(String task, List<String> texts, String requestKey) {
        String path = "/api/v1/tasks/" + task + "/predict";
        Answer a = requestKey == null
                ? post("deployment", path, Map.of("texts", texts))
                : send("POST", "deployment", path, Map.of("texts", texts), "Finetide-Request-Key", requestKey);
        if (a.status() != 200) {
            throw new IllegalStateException("predict answered " + a.status() + ": " + a.body());
        }
        List<Prediction> out = new ArrayList<>();
        for (JsonNode p : a.body().get("predictions")) {
            out.add(new Prediction(p.get("label").asText(), p.get("confidence").asDouble(), p.path("predictionId")
                    .asText()));
        }
        return new Predictions(a.body().get("modelId").asText(), a.body().get("version").asInt(), out);
    }

    /** Accuracy of the served champion on labelled texts, asked through the predict API in batches. */
    public double accuracy(String task, List<String> texts, List<String> labels) {
        int correct = 0;
        for (int start = 0; start < texts.size(); start += 128) {
            int end = Math.min(texts.size(), start + 128);
            List<Prediction> p = predict(task, texts.subList(start, end)).predictions();
            for (int i = 0; i < p.size(); i++) {
                if (p.get(i).label().equals(labels.get(start + i))) {
                    correct++;
                }
            }
        }
        return texts.isEmpty() ? 0 : correct / (double) texts.size();
    }
}
