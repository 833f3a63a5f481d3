package io.finetide.launcher;

import java.time.Duration;

/**
 * The Prometheus of the local platform. Its configuration is always written to {@code <workDir>/prometheus/}
 * (scraping the services, with Finetide's alerting rules); {@code start} also runs it on {@code port}.
 */
public record Monitoring(boolean start, int port, Duration scrapeInterval) {

    /** The configuration only, for the user's own Prometheus; port 9090 is Prometheus's own default. */
    public static final Monitoring CONFIG_ONLY = new Monitoring(false, 9090, Duration.ofSeconds(15));

    public Monitoring started() {
        return new Monitoring(true, port, scrapeInterval);
    }

    public Monitoring every(Duration interval) {
        return new Monitoring(start, port, interval);
    }
}
