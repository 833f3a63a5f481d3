package io.finetide.runtime.metrics;

/** Names of the metrics every service has through the shared runtime; all are in {@code docs/METRICS.md}. */
public final class RuntimeMetrics {

    /**
     * Records dead-lettered, tags {@code reason} and {@code topic} (where the record came from); the service is the
     * common {@code application} tag.
     */
    public static final String DEAD_LETTERS = "finetide.deadletters";

    /**
     * Batches whose transaction (their dead letters and consumed offsets) was aborted, tag {@code channel}: the
     * instance no longer held the batch's partitions, or the broker or the store failed; the batch is read again.
     */
    public static final String BATCHES_ABORTED = "finetide.batches.aborted";

    /** Requests refused for a missing or wrong API key (401) or a role that may not (403), tag {@code status}. */
    public static final String DENIED = "finetide.security.denied";

    private RuntimeMetrics() {
    }
}
