package io.finetide.ingestion.metrics;

import java.util.function.ToDoubleFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The ingestion service's metrics; every name is in {@code docs/METRICS.md} (Prometheus adds {@code _total} to
 * counters). Rejections carry no {@code task}: a refused record's task is unchecked input, and a tag from it would let
 * a bad producer create series without bound.
 */
@ApplicationScoped
public class IngestionMetrics {

    /** Examples received, tag {@code source} (kafka, rest). */
    public static final String RECEIVED = "finetide.ingestion.examples.received";
    /** Examples stored for the first time, tag {@code task}. */
    public static final String STORED = "finetide.ingestion.examples.stored";
    /**
     * Examples not stored again, tags {@code task} and {@code kind}: {@code id} (the id was stored: replays, re-sends),
     * {@code content} (the same normalised text under another id), {@code near} (a near-duplicate text).
     */
    public static final String DUPLICATES = "finetide.ingestion.examples.duplicates";
    /** Examples refused, tags {@code reason} and {@code source}. */
    public static final String REJECTED = "finetide.ingestion.examples.rejected";
    /** Labelled examples published downstream, tag {@code task}. */
    public static final String EMITTED = "finetide.ingestion.examples.emitted";
    /**
     * Stored labelled examples sent downstream again because nothing recorded them as sent (a crash came between
     * storing and sending), tag {@code task}; also counted in {@link #EMITTED}.
     */
    public static final String RESENT = "finetide.ingestion.examples.resent";
    /** Personal data replaced before storing, tags {@code task}, {@code type} (email, iban, card, ip, phone). */
    public static final String REDACTED = "finetide.ingestion.pii.redacted";
    /**
     * Late labels, tags {@code task}, {@code outcome} (labelled, voted, held, adjudicated, duplicate, conflict).
     */
    public static final String LABELS = "finetide.ingestion.labels";
    /** Labels given per annotator, tags {@code task}, {@code annotator} (people, a bounded set). */
    public static final String ANNOTATOR_LABELS = "finetide.ingestion.annotator.labels";
    /** Examples of the task waiting for a label (held ones included), tag {@code task}. */
    public static final String QUEUE = "finetide.ingestion.labeling.queue";
    /** Unlabelled examples whose champion scores arrived (active learning). */
    public static final String SCORED = "finetide.ingestion.examples.scored";
    /** Unlabelled examples given a weak label by a labeling-function run. */
    public static final String WEAK_LABELLED = "finetide.ingestion.examples.weak.labelled";

    @Inject
    MeterRegistry registry;

    public void received(String source) {
        registry.counter(RECEIVED, "source", source).increment();
    }

    public void stored(String task) {
        registry.counter(STORED, "task", task).increment();
    }

    public void duplicate(String task, String kind) {
        registry.counter(DUPLICATES, "task", task, "kind", kind).increment();
    }

    public void label(String task, String outcome) {
        registry.counter(LABELS, "task", task, "outcome", outcome).increment();
    }

    public void annotatorLabel(String task, String annotator) {
        registry.counter(ANNOTATOR_LABELS, "task", task, "annotator", annotator).increment();
    }

    /**
     * The task's queue-length gauge; {@code length} is read at every scrape. Registering it again (the task changed)
     * keeps the first: Micrometer returns the gauge it has.
     */
    public <T> void watchQueue(String task, T source, ToDoubleFunction<T> length) {
        Gauge.builder(QUEUE, source, length).tag("task", task).strongReference(true).register(registry);
    }

    public void redacted(String task, String type, int n) {
        registry.counter(REDACTED, "task", task, "type", type).increment(n);
    }

    public void emitted(String task, int n) {
        registry.counter(EMITTED, "task", task).increment(n);
    }

    public void resent(String task) {
        registry.counter(RESENT, "task", task).increment();
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
