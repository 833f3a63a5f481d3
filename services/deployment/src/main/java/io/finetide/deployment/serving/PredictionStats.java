package io.finetide.deployment.serving;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.messaging.EventPublisher;
import io.finetide.model.infer.Classifier;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.PredictionStatsEvent;
import io.finetide.runtime.DaemonScheduler;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Sums up what each served model predicts (label counts and a ten-bin histogram of the top-class probability) and
 * publishes one {@code PredictionStatsEvent} per task, model and window with traffic, for drift monitoring. No texts
 * leave the service this way, only counts.
 */
@ApplicationScoped
public class PredictionStats {

    private static final Logger LOG = Logger.getLogger(PredictionStats.class);

    private static final class Window {
        final String task;
        final String modelId;
        final Map<String, Long> predicted = new LinkedHashMap<>();
        final long[] confidence = new long[10];

        Window(String task, String modelId) {
            this.task = task;
            this.modelId = modelId;
        }
    }

    @Inject
    EventPublisher publisher;

    @Inject
    DeploymentConfig config;

    private Map<String, Window> windows = new LinkedHashMap<>();
    private long windowStart = System.currentTimeMillis();
    private ScheduledExecutorService executor;

    void start(@Observes StartupEvent e) {
        executor = DaemonScheduler.single("prediction-stats");
        long period = config.predictionStatsSeconds();
        executor.scheduleAtFixedRate(this::flush, period, period, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent e) {
        if (executor != null) {
            executor.shutdownNow();
        }
        flush();
    }

    public synchronized void record(String task, String modelId, List<String> labels,
            List<Classifier.Prediction> predictions) {
        Window w = windows.computeIfAbsent(task + "/" + modelId, k -> new Window(task, modelId));
        for (Classifier.Prediction p : predictions) {
            w.predicted.merge(p.label(), 1L, Long::sum);
            w.confidence[Math.min(9, Math.max(0, (int) (p.confidence() * 10)))]++;
        }
        for (String l : labels) {
            w.predicted.putIfAbsent(l, 0L);
        }
    }

    /** Publishes the current windows and starts new ones. */
    public void flush() {
        Map<String, Window> done;
        long start;
        long end = System.currentTimeMillis();
        synchronized (this) {
            done = windows;
            start = windowStart;
            windows = new LinkedHashMap<>();
            windowStart = end;
        }
        for (Window w : done.values()) {
            PredictionStatsEvent.Builder b = PredictionStatsEvent.newBuilder().setMeta(Events.meta(w.task))
                    .setModelId(w.modelId).setWindowStartMs(start).setWindowEndMs(end).putAllPredictedCounts(
                            w.predicted);
            for (long c : w.confidence) {
                b.addConfidenceHistogram(c);
            }
            try {
                publisher.predictionStats(b.build());
            } catch (RuntimeException ex) {
                // Statistics are advisory: a lost window only delays drift detection.
                LOG.warnf(ex, "prediction statistics of %s not published", w.modelId);
            }
        }
    }
}
