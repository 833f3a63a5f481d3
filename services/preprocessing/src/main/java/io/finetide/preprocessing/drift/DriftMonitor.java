package io.finetide.preprocessing.drift;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.platform.events.Events;
import io.finetide.preprocessing.config.PreprocessingConfig;
import io.finetide.preprocessing.messaging.EventPublisher;
import io.finetide.preprocessing.metrics.PreprocessingMetrics;
import io.finetide.preprocessing.preparation.PreparationService;
import io.finetide.preprocessing.preparation.TaskState;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.SnapshotStore;
import io.finetide.preprocessing.trigger.TriggerPolicy;
import io.finetide.proto.v1.DriftEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.PredictionStatsEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * Measures drift two ways and reports every figure (drift topic, gauges), signalling the task's trigger when one
 * crosses its threshold:
 * <ul>
 * <li>data: the labels and token lengths of the examples since the newest snapshot against the training split of
 * the snapshot the champion was trained on (the newest snapshot while there is no champion);</li>
 * <li>live: the labels the champion predicted against the labels it was trained on, and its confidence histogram
 * against its own first {@code confidenceBaselinePredictions} predictions.</li>
 * </ul>
 */
@ApplicationScoped
public class DriftMonitor {

    private static final Logger LOG = Logger.getLogger(DriftMonitor.class);

    @Inject
    SnapshotStore snapshots;

    @Inject
    EventPublisher publisher;

    @Inject
    PreprocessingMetrics metrics;

    @Inject
    PreprocessingConfig config;

    @Inject
    PreparationService preparation;

    private final Map<String, DatasetSnapshotRecord> references = new ConcurrentHashMap<>();
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final Map<String, DriftEvent> latest = new ConcurrentHashMap<>();

    /** Predictions of one served model: the baseline while it fills, then the window being gathered. */
    private static final class Live {
        final long[] baseline = new long[10];
        long baselineCount;
        final long[] confidence = new long[10];
        final Map<String, Long> predicted = new LinkedHashMap<>();
        long count;
    }

    /** The newest figure per task, feature and reference kind. */
    public Map<String, DriftEvent> latest(String task) {
        Map<String, DriftEvent> out = new LinkedHashMap<>();
        latest.forEach((k, v) -> {
            if (v.getMeta().getTask().equals(task)) {
                out.put(k.substring(task.length() + 1), v);
            }
        });
        return out;
    }

    /** After a batch of new examples of {@code task}. */
    public void onNewData(TaskDefinitionEvent task, TaskState state) {
        Map<String, Map<String, Long>> window = state.windowForDrift(task.getTriggers().getDriftMinExamples());
        if (window == null) {
            return;
        }
        Optional<DatasetSnapshotRecord> reference = reference(task.getName());
        if (reference.isEmpty()) {
            return;
        }
        DatasetSnapshotRecord ref = reference.get();
        String name = "champion-data:" + ref.id();
        long n = window.get("label").values().stream().mapToLong(Long::longValue).sum();
        report(task, state, "data", name, "label", ref.trainLabels(), window.get("label"), n, TriggerPolicy.DRIFT);
        report(task, state, "data", name, "length", ref.trainLengths(), window.get("length"), n,
                TriggerPolicy.DRIFT);
    }

    /** A window of a served model's predictions. */
    public void onPredictions(PredictionStatsEvent e) {
        String task = e.getMeta().getTask();
        TaskDefinitionEvent def = preparation.directory().tasks().get(task).orElse(null);
        if (def == null) {
            return;
        }
        Live l = live.computeIfAbsent(task + "/" + e.getModelId(), k -> new Live());
        long windowCount = e.getPredictedCountsMap().values().stream().mapToLong(Long::longValue).sum();
        synchronized (l) {
            if (l.baselineCount < config.confidenceBaselinePredictions()) {
                add(l.baseline, e);
                l.baselineCount += windowCount;
                return;
            }
            add(l.confidence, e);
            e.getPredictedCountsMap().forEach((k, v) -> l.predicted.merge(k, v, Long::sum));
            l.count += windowCount;
            if (l.count < config.liveDriftMinPredictions()) {
                return;
            }
            String name = "live:" + e.getModelId();
            TaskState state = preparation.state(task);
            Optional<DatasetSnapshotRecord> ref = reference(task);
            if (ref.isPresent()) {
                report(def, state, "live", name, "predicted-label", ref.get().trainLabels(), l.predicted, l.count,
                        TriggerPolicy.LIVE_DRIFT);
            }
            report(def, state, "live", name, "confidence", bins(l.baseline), bins(l.confidence), l.count,
                    TriggerPolicy.LIVE_DRIFT);
            Arrays.fill(l.confidence, 0);
            l.predicted.clear();
            l.count = 0;
        }
    }

    private static void add(long[] histogram, PredictionStatsEvent e) {
        for (int i = 0; i < Math.min(histogram.length, e.getConfidenceHistogramCount()); i++) {
            histogram[i] += e.getConfidenceHistogram(i);
        }
    }

    private static Map<String, Long> bins(long[] histogram) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < histogram.length; i++) {
            out.put(String.format(java.util.Locale.ROOT, "%.1f", i / 10.0), histogram[i]);
        }
        return out;
    }

    private void report(TaskDefinitionEvent task, TaskState state, String kind, String reference, String feature,
            Map<String, Long> expected, Map<String, Long> actual, long n, String triggerKind) {
        double psi = Drift.psi(expected, actual);
        double js = Drift.jensenShannon(expected, actual);
        double threshold = task.getTriggers().getDriftPsi();
        boolean exceeded = threshold > 0 && psi > threshold;
        DriftEvent event = DriftEvent.newBuilder().setMeta(Events.meta(task.getName())).setReference(reference)
                .setFeature(feature).setPsi(psi).setJsDivergence(js).setThreshold(threshold).setExceeded(exceeded)
                .setExamples(n).build();
        latest.put(task.getName() + "/" + kind + "/" + feature, event);
        metrics.drift(task.getName(), feature, kind, psi, js, threshold);
        publisher.drift(event);
        if (exceeded) {
            LOG.infof("task %s: %s drift of %s, PSI %.3f > %.3f (JS %.3f, %d examples)", task.getName(), kind,
                    feature, psi, threshold, js, n);
            preparation.signal(state, triggerKind, String.format(java.util.Locale.ROOT,
                    "%s: %s PSI %.3f > %.3f against %s (%d examples)", triggerKind, feature, psi, threshold,
                    reference, n), System.currentTimeMillis());
        }
    }

    /** The training data of the champion, else the newest snapshot. */
    private Optional<DatasetSnapshotRecord> reference(String task) {
        String id = preparation.directory().champions().get(task).map(ModelPromotedEvent::getSnapshotId).filter(
                s -> !s.isEmpty()).orElse(null);
        if (id != null) {
            DatasetSnapshotRecord r = references.computeIfAbsent(id, k -> snapshots.find(k).orElse(null));
            if (r != null) {
                return Optional.of(r);
            }
        }
        return snapshots.latest(task);
    }
}
