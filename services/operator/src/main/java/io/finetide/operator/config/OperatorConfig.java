package io.finetide.operator.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the FineTuningTask operator ({@code finetide.operator.*}; environment {@code FINETIDE_OPERATOR_*}). */
@ConfigMapping(prefix = "finetide.operator")
public interface OperatorConfig {

    /** The ingestion service, which owns task definitions. */
    @WithDefault("http://127.0.0.1:8091")
    String ingestionUrl();

    /**
     * A PEM file of the certificate authority that signed ingestion's HTTPS certificate, trusted besides the JVM's own
     * (none: the JVM's only). The production overlay's https component sets it to the mounted {@code ca.crt}.
     */
    Optional<String> ingestionCa();

    /** An API key with the admin role for ingestion's task API (none: ingestion runs without keys). */
    Optional<String> apiKey();

    /** The namespace whose FineTuningTasks are reconciled (none: the client's own namespace, the pod's in-cluster). */
    Optional<String> namespace();

    /** How often every resource is reconciled again even when nothing changed (a task changed behind its back). */
    @WithDefault("10m")
    Duration resync();

    /** How long to wait before trying again when ingestion cannot be reached. */
    @WithDefault("10s")
    Duration retry();
}
