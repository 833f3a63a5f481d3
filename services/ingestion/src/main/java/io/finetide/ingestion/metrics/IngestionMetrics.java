package io.finetide.ingestion.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The service's metrics. Names (Prometheus adds {@code _total}):
 * <ul>
 * <li>{@value #RECEIVED}: examples received, tag {@code source} (kafka, rest)</li>
 * <li>{@value #STORED}: examples stored for the first time</li>
 * <li>{@value #DUPLICATES}: examples not stored again, tag {@code kind}: {@code id} (the id was stored: replays,
 * re-sends), {@code content} (the same normalised text under another id), {@code near} (a near-duplicate text)</li>
 * <li>{@value #LABELS}: late labels, tag {@code outcome} (labelled, voted, held, adjudicated, duplicate,
 * conflict)</li>
 * <li>{@value #REDACTED}: personal data replaced before storing, tag {@code type} (email, iban, card, ip, phone)</li>
 * <li>{@value #REJECTED}: examples refused, tags {@code reason} and {@code source}</li>
 * <li>{@value #EMITTED}: labelled examples published downstream</li>
 * <li>{@value #SCORED}: unlabelled examples whose champion scores arrived (active learning)</li>
 * <li>{@value #WEAK_LABELLED}: unlabelled examples given a weak label by a labeling-function run</li>
 * </ul>
 */
@ApplicationScoped
public class IngestionMetrics {

    public static final String RECEIVED = "finetide.ingestion.examples.received";
    public static final String STORED = "finetide.ingestion.examples.stored";
    public static final String DUPLICATES = "finetide.ingestion.examples.duplicates";
    public static final String REJECTED = "finetide.ingestion.examples.rejected";
    public static final String EMITTED = "finetide.ingestion.examples.emitted";
    public static final String REDACTED = "finetide.ingestion.pii.redacted";
    public static final String LABELS = "finetide.ingestion.labels";
    public static final String SCORED = "finetide.ingestion.examples.scored";
    public static final String WEAK_LABELLED = "finetide.ingestion.examples.weak.labelled";

    @Inject
    MeterRegistry registry;

    public void received(String source) {
        registry.counter(RECEIVED, "source", source).increment();
    }

    public void stored() {
        registry.counter(STORED).increment();
    }

    public void duplicate(String kind) {
        registry.counter(DUPLICATES, "kind", kind).increment();
    }

    public void label(String outcome) {
        registry.counter(LABELS, "outcome", outcome).increment();
    }

    public void redacted(String type, int n) {
        registry.counter(REDACTED, "type", type).increment(n);
    }

    public void emitted(int n) {
        registry.counter(EMITTED).increment(n);
    }

    public void scored(int n) {
        registry.counter(SCORED).increment(n);
    }

    public void weakLabelled(int n) {
        registry.counter(WEAK_LABELLED).increment(n);
    }

    public void rejected(ReasonCode reason, String source) {
        registry.counter(REJECTED, "reason", reason.tag(), "source", source).increment();
    }
}
