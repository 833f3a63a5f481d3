package io.finetide.launcher.monitoring;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.launcher.ManagedProcess;

/**
 * A real Prometheus (built from the Go module proxy into {@code .tools/bin} by {@code ./finetide tools}) scraping the
 * local platform, and its HTTP query API.
 */
public final class PrometheusServer implements AutoCloseable {

    /** What an instant query answered: an error, or how many series. */
    public record Answer(String error, int series) {

        public boolean ok() {
            return error == null;
        }
    }

    private final ManagedProcess process;
    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(ManagedProcess process, String url) {
        this.process = process;
        this.url = url;
    }

    /** The binary {@code ./finetide tools} builds. */
    public static Path binary(Path projectRoot) {
        return projectRoot.resolve(".tools/bin/prometheus");
    }

    public static PrometheusServer start(Path projectRoot, Path config, Path dataDir, int port, Path log) {
        Path bin = binary(projectRoot);
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(bin + " is missing: ./finetide tools builds it");
        }
        ManagedProcess p = ManagedProcess.start("prometheus", List.of(bin.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dataDir, "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle"), Map.of(), log);
        String url = "http://127.0.0.1:" + port;
        try {
            p.awaitHttpOk(url + "/-/ready", Duration.ofMinutes(1));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return new PrometheusServer(p, url);
    }

    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    /** Evaluates {@code expr} now. */
    public Answer query(String expr) {
        JsonNode body = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        if (!"success".equals(body.path("status").asText())) {
            return new Answer(body.path("errorType").asText() + ": " + body.path("error").asText(), 0);
        }
        JsonNode result = body.path("data").path("result");
        return new Answer(null, result.isArray() ? result.size() : 1);
    }

    /** Whether every target Prometheus knows answered its latest scrape. */
    public boolean allTargetsUp() {
        JsonNode targets = get("/api/v1/targets?state=active").path("data").path("activeTargets");
        if (targets.isEmpty()) {
            return false;
        }
        for (JsonNode t : targets) {
            if (!"up".equals(t.path("health").asText())) {
                return false;
            }
        }
        return true;
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration
                    .ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return MonitoringAssets.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus at " + url + " did not answer " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
