package io.finetide.deployment.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.model.infer.Classifier;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.runtime.metrics.GaugeValues;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The deployment service's metrics; every name is in {@code docs/METRICS.md}. Request metrics tag {@code task} only
 * for tasks that have a model in service ({@value #OTHER_TASK} otherwise): the task of a request is a URL segment,
 * and any string there must not become a series.
 */
@ApplicationScoped
public class DeploymentMetrics {

    /** Texts (or word sequences) answered, tag {@code task}. */
    public static final String PREDICTIONS = "finetide.deployment.predictions";
    /**
     * Wall time of predict, tag and explain requests, tags {@code task}, {@code endpoint} (predict, tag, explain); a
     * histogram with the
     * buckets of {@link #LATENCY_BUCKETS}, so that p50/p95/p99 come from {@code histogram_quantile}.
     */
    public static final String REQUEST_LATENCY = "finetide.deployment.request.latency";
    /**
     * Predict, tag and explain requests, tags {@code task}, {@code endpoint}, {@code status} (HTTP code),
     * {@code reason}.
     */
    public static final String REQUESTS = "finetide.deployment.requests";
    /** Texts per request, tags {@code task}, {@code endpoint}; a histogram. */
    public static final String REQUEST_TEXTS = "finetide.deployment.request.texts";
    /** Models in service (one per task with a champion). */
    public static final String MODELS_LOADED = "finetide.deployment.models.loaded";
    /** Loading, warming up and swapping in a champion, tag {@code task}. */
    public static final String SWAP = "finetide.deployment.swap";
    /** 1 for the model serving a task, tags {@code task}, {@code model_id}, {@code version}. */
    public static final String SERVING_INFO = "finetide.deployment.serving.model.info";
    /** 1 for each task with a champion in the registry (whether or not it could be loaded), tag {@code task}. */
    public static final String CHAMPION_REGISTERED = "finetide.deployment.champion.registered";
    /** Predictions by label, tags {@code task}, {@code label}: the label shares the model gives. */
    public static final String PREDICTED_LABELS = "finetide.deployment.predicted.labels";
    /** Top-class probability of each prediction, tag {@code task}; a histogram in tenths. */
    public static final String CONFIDENCE = "finetide.deployment.prediction.confidence";
    /** Models put in service, tag {@code task}. */
    public static final String PROMOTIONS = "finetide.deployment.promotions";
    /** When the task's champion was last promoted, seconds since the epoch, tag {@code task}. */
    public static final String PROMOTION_LAST = "finetide.deployment.promotion.last.timestamp.seconds";
    /** Candidates kept out of service by the gate, tag {@code task}. */
    public static final String REJECTIONS = "finetide.deployment.candidates.rejected";
    /**
     * Blessed verdicts not acted on because they compared the candidate with another champion than the one serving
     * (the champion changed while it was judged; evaluation judges it again), tag {@code task}.
     */
    public static final String STALE_VERDICTS = "finetide.deployment.verdicts.stale";
    /** Events refused, tag {@code reason}. */
    public static final String REJECTED = "finetide.deployment.events.rejected";
    /**
     * Unlabelled examples scored for active learning, tags {@code task} and {@code outcome} ({@code scored}, or
     * {@code no-champion} when the task has no model in service yet, {@code tagging} for tagging tasks).
     */
    public static final String SCORED = "finetide.deployment.unlabelled.scored";

    /**
     * Texts run together by dynamic batching, tags {@code task}, {@code endpoint} (predict, tag); a histogram. A
     * mean near 1 under load means requests are not meeting in the queue.
     */
    public static final String BATCH_SIZE = "finetide.deployment.batch.size";
    /** Requests answered by one batch run, tags {@code task}, {@code endpoint}; a histogram. */
    public static final String BATCH_REQUESTS = "finetide.deployment.batch.requests";
    /** How long the oldest request of a batch waited in the queue, tags {@code task}, {@code endpoint}. */
    public static final String BATCH_QUEUE_WAIT = "finetide.deployment.batch.queue.wait";
    /** Texts waiting for a batch, tags {@code task}, {@code endpoint}; refusals start at the queue's capacity. */
    public static final String BATCH_QUEUED = "finetide.deployment.batch.queued";

    /**
     * Live accuracy of a served model over its last {@code live-window} feedback events, tags {@code task},
     * {@code model_id}.
     */
    public static final String LIVE_ACCURACY = "finetide.deployment.live.accuracy";
    /** Live macro-F1 over the same window (labels seen in it), tags {@code task}, {@code model_id}. */
    public static final String LIVE_MACRO_F1 = "finetide.deployment.live.macro.f1";
    /**
     * Feedback events taken, tags {@code task}, {@code outcome} ({@code correct}, {@code incorrect}, or
     * {@code duplicate} for one already counted).
     */
    public static final String FEEDBACK = "finetide.deployment.feedback";

    /** Champions rolled back, tags {@code task}, {@code actor} ({@code automatic} or {@code admin}). */
    public static final String ROLLBACKS = "finetide.deployment.rollbacks";

    public static final String OTHER_TASK = "other";

    /** Latency buckets: the serving SLO (p99 under 500 ms by default) falls on one. */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration
            .ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(
                    500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(
                    10)};

    private static final double[] TEXT_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    private static final double[] CONFIDENCE_BUCKETS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};

    @Inject
    MeterRegistry registry;

    @Inject
    GaugeValues gauges;

    @Inject
    RolloutMetrics rollouts;
    private final Map<String, Tags> servingInfo = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        registry.gauge(MODELS_LOADED, servingInfo, Map::size);
    }

    /** A batch of {@code texts} from {@code requests} requests ran after its oldest waited {@code waitNanos}. */
    public void batchRan(String task, String endpoint, int texts, int requests, long waitNanos) {
        DistributionSummary.builder(BATCH_SIZE).tags("task", task, "endpoint", endpoint).serviceLevelObjectives(
                TEXT_BUCKETS).register(registry).record(texts);
        DistributionSummary.builder(BATCH_REQUESTS).tags("task", task, "endpoint", endpoint)
                .serviceLevelObjectives(TEXT_BUCKETS).register(registry).record(requests);
        Timer.builder(BATCH_QUEUE_WAIT).tags("task", task, "endpoint", endpoint).serviceLevelObjectives(
                LATENCY_BUCKETS).register(registry).record(Duration.ofNanos(waitNanos));
    }

    /** Reports the texts waiting in a batching queue, read when scraped. */
    public <T> void batchQueue(String task, String endpoint, T queue, java.util.function.ToDoubleFunction<T> waiting) {
        registry.gauge(BATCH_QUEUED, Tags.of("task", task, "endpoint", endpoint), queue, waiting);
    }

    /** Reports a model's live figures, read from {@code window} when scraped. */
    public <T> void liveQuality(String task, String modelId, T window, java.util.function.ToDoubleFunction<T> accuracy,
            java.util.function.ToDoubleFunction<T> macroF1) {
        Tags tags = Tags.of("task", task, "model_id", modelId);
        registry.gauge(LIVE_ACCURACY, tags, window, accuracy);
        registry.gauge(LIVE_MACRO_F1, tags, window, macroF1);
    }

    public void rolledBack(String task, boolean automatic) {
        registry.counter(ROLLBACKS, "task", task, "actor", automatic ? "automatic" : "admin").increment();
    }

    public void feedback(String task, String outcome) {
        registry.counter(FEEDBACK, "task", task, "outcome", outcome).increment();
    }

    public void scored(String task, String outcome, int n) {
        registry.counter(SCORED, "task", task, "outcome", outcome).increment(n);
    }

    /**
     * A request answered (or refused) after {@code nanos}; {@code task} is the request's task when it has a model in
     * service, {@value #OTHER_TASK} otherwise.
     */
    public void request(String task, String endpoint, int status, String reason, int texts, long nanos) {
        registry.counter(REQUESTS, "task", task, "endpoint", endpoint, "status", Integer.toString(status), "reason",
                reason).increment();
        Timer.builder(REQUEST_LATENCY).tags("task", task, "endpoint", endpoint).serviceLevelObjectives(
                LATENCY_BUCKETS).register(registry).record(Duration.ofNanos(nanos));
        if (texts > 0) {
            DistributionSummary.builder(REQUEST_TEXTS).tags("task", task, "endpoint", endpoint)
                    .serviceLevelObjectives(TEXT_BUCKETS).register(registry).record(texts);
        }
        if (status == 200) {
            registry.counter(PREDICTIONS, "task", task).increment(texts);
        }
    }

    public void predictions(String task, List<Classifier.Prediction> predictions) {
        DistributionSummary confidence = DistributionSummary.builder(CONFIDENCE).tag("task", task)
                .serviceLevelObjectives(CONFIDENCE_BUCKETS).register(registry);
        for (Classifier.Prediction p : predictions) {
            registry.counter(PREDICTED_LABELS, "task", task, "label", p.label()).increment();
            confidence.record(p.confidence());
        }
    }

    /** {@code modelId} now serves {@code task}, after {@code nanos} of loading and swapping. */
    public void serving(String task, String modelId, int version, long nanos) {
        Tags tags = Tags.of("task", task, "model_id", modelId, "version", Integer.toString(version));
        Tags previous = servingInfo.put(task, tags);
        if (previous != null && !previous.equals(tags)) {
            gauges.remove(SERVING_INFO, previous);
        }
        gauges.set(SERVING_INFO, tags, 1);
        Timer.builder(SWAP).tag("task", task).register(registry).record(Duration.ofNanos(nanos));
    }

    public void championRegistered(String task) {
        gauges.set(CHAMPION_REGISTERED, Tags.of("task", task), 1);
        rollouts.registered(task);
        // At 0 from a task's first champion, so that rates and alerts read a series before the first event.
        for (String actor : List.of("automatic", "admin")) {
            registry.counter(ROLLBACKS, "task", task, "actor", actor);
        }
        for (String outcome : List.of("correct", "incorrect", "duplicate")) {
            registry.counter(FEEDBACK, "task", task, "outcome", outcome);
        }
    }

    public void promoted(String task) {
        registry.counter(PROMOTIONS, "task", task).increment();
        gauges.set(PROMOTION_LAST, Tags.of("task", task), System.currentTimeMillis() / 1000.0);
    }

    public void staleVerdict(String task) {
        registry.counter(STALE_VERDICTS, "task", task).increment();
    }

    public void candidateRejected(String task) {
        registry.counter(REJECTIONS, "task", task).increment();
    }

    public void rejected(ReasonCode reason) {
        registry.counter(REJECTED, "reason", reason.tag()).increment();
    }
}
