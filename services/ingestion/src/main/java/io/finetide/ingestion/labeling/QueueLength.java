package io.finetide.ingestion.labeling;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.ingestion.store.LabelingStore;
import io.finetide.ingestion.tasks.TaskService;

/**
 * The labeling queue's length per task as a gauge. Counted in the store (another replica may have labelled), at most
 * once per {@value #REFRESH_MILLIS} ms however often Prometheus scrapes.
 */
@ApplicationScoped
public class QueueLength {

    static final long REFRESH_MILLIS = 10_000;

    private record Count(long value, long atMs) {
    }

    private final Map<String, Count> counts = new ConcurrentHashMap<>();

    @Inject
    LabelingStore labeling;

    @Inject
    IngestionMetrics metrics;

    void onTask(@Observes TaskService.TaskKnown task) {
        metrics.watchQueue(task.name(), this, q -> q.length(task.name()));
    }

    double length(String task) {
        long now = System.currentTimeMillis();
        Count c = counts.compute(task, (t, old) -> old != null && now - old.atMs() < REFRESH_MILLIS
                ? old
                : new Count(labeling.countUnlabelled(t), now));
        return c.value();
    }
}
