package io.finetide.launcher.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A ready Prometheus configuration for the local platform: one job per service ({@code finetide-ingestion}, ...: the
 * job names the alerts and dashboards expect), Finetide's alerting rules, the given scrape interval.
 */
public final class PrometheusConfig {

    private PrometheusConfig() {
    }

    /**
     * @param serviceUrls service name (ingestion, ...) to its base URL
     * @param rules       the alerting rules file
     */
    public static String yaml(Map<String, String> serviceUrls, Path rules, Duration interval) {
        return yaml(serviceUrls, rules, interval, null);
    }

    /** @param certificate the PEM certificate to trust for services on HTTPS (null: none are) */
    public static String yaml(Map<String, String> serviceUrls, Path rules, Duration interval, Path certificate) {
        StringBuilder y = new StringBuilder();
        y.append("# Written by the Finetide launcher for the local platform; point Grafana at this Prometheus.\n");
        y.append("global:\n");
        y.append("  scrape_interval: ").append(interval.toSeconds()).append("s\n");
        y.append("  evaluation_interval: ").append(interval.toSeconds()).append("s\n");
        y.append("rule_files:\n");
        y.append("  - ").append(quoted(rules.toAbsolutePath().toString())).append('\n');
        y.append("scrape_configs:\n");
        serviceUrls.forEach((name, url) -> {
            String hostPort = url.replaceFirst("^https?://", "").replaceAll("/.*$", "");
            y.append("  - job_name: finetide-").append(name).append('\n');
            y.append("    metrics_path: /q/metrics\n");
            if (url.startsWith("https://")) {
                y.append("    scheme: https\n");
                if (certificate != null) {
                    y.append("    tls_config:\n      ca_file: ").append(quoted(certificate.toAbsolutePath().toString()))
                            .append('\n');
                }
            }
            y.append("    static_configs:\n");
            y.append("      - targets: [").append(quoted(hostPort)).append("]\n");
        });
        return y.toString();
    }

    public static Path write(Path file, Map<String, String> serviceUrls, Path rules, Duration interval) {
        return write(file, serviceUrls, rules, interval, null);
    }

    public static Path write(Path file, Map<String, String> serviceUrls, Path rules, Duration interval,
            Path certificate) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml(serviceUrls, rules, interval, certificate));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
