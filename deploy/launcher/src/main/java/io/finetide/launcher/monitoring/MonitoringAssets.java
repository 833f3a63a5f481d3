package io.finetide.launcher.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * What ships under {@code deploy/monitoring/}: Grafana dashboards, Prometheus alerting rules (plain, and as a
 * PrometheusRule in {@code k8s/components/monitoring}), their unit tests, and every PromQL expression in them.
 */
public final class MonitoringAssets {

    /** Where an expression is used: a dashboard panel's target, a dashboard annotation, or an alert. */
    public enum Kind {
        PANEL, ANNOTATION, ALERT
    }

    /** One PromQL expression and where it comes from ("finetide-serving.json: Latency percentiles [B]"). */
    public record Query(Kind kind, String source, String expr) {
    }

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path root;
    private final Path kubernetes;

    /** @param projectRoot the checkout (its {@code deploy/monitoring} and {@code k8s} folders are read) */
    public MonitoringAssets(Path projectRoot) {
        this.root = projectRoot.resolve("deploy/monitoring");
        this.kubernetes = projectRoot.resolve("k8s/components/monitoring");
    }

    public Path rules() {
        return root.resolve("prometheus/finetide-alerts.yml");
    }

    public Path rulesTests() {
        return root.resolve("prometheus/finetide-alerts.test.yml");
    }

    public Path prometheusRule() {
        return kubernetes.resolve("prometheusrule.yaml");
    }

    public Path grafana() {
        return root.resolve("grafana");
    }

    public List<Path> dashboards() {
        try (Stream<Path> files = Files.list(grafana().resolve("dashboards"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode read(Path file) {
        try {
            return (file.toString().endsWith(".json") ? JSON : YAML).readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every alert's expression, by alert name. */
    public List<Query> alertQueries() {
        List<Query> out = new ArrayList<>();
        for (JsonNode group : read(rules()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    out.add(new Query(Kind.ALERT, rule.path("alert").asText(), rule.path("expr").asText()));
                }
            }
        }
        return out;
    }

    /** Every panel target's and annotation's expression of every dashboard (rows' nested panels too). */
    public List<Query> dashboardQueries() {
        List<Query> out = new ArrayList<>();
        for (Path file : dashboards()) {
            JsonNode d = read(file);
            String name = file.getFileName().toString();
            for (JsonNode panel : panels(d)) {
                for (JsonNode target : panel.path("targets")) {
                    out.add(new Query(Kind.PANEL, name + ": " + panel.path("title").asText() + " [" + target.path(
                            "refId").asText() + "]", target.path("expr").asText()));
                }
            }
            for (JsonNode a : d.path("annotations").path("list")) {
                if (a.has("expr")) {
                    out.add(new Query(Kind.ANNOTATION, name + ": annotation " + a.path("name").asText(), a.path(
                            "expr").asText()));
                }
            }
        }
        return out;
    }

    public List<Query> allQueries() {
        List<Query> out = new ArrayList<>(dashboardQueries());
        out.addAll(alertQueries());
        return out;
    }

    /** The dashboard's panels, with the panels of collapsed rows. */
    public static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add);
        }
        return out;
    }
}
