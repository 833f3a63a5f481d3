package io.finetide.ingestion.labeling;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.context.ManagedExecutor;

import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.ingestion.store.LabelingStore;
import io.finetide.ingestion.tasks.TaskService;

/**
 * The labeling queue's length per task as a gauge. Counted in the store (another replica may have labelled), in the
 * background and at most once per {@value #REFRESH_MILLIS} ms however often Prometheus scrapes ({@link BackgroundCounts}:
 * a scrape never waits for a count).
 */
@ApplicationScoped
public class QueueLength {

    static final long REFRESH_MILLIS = 10_000;

    @Inject
    LabelingStore labeling;

    @Inject
    IngestionMetrics metrics;

    @Inject
    ManagedExecutor executor;

    private BackgroundCounts counts;

    @PostConstruct
    void init() {
        counts = new BackgroundCounts(labeling::countUnlabelled, executor, System::currentTimeMillis, REFRESH_MILLIS);
    }

    void onTask(@Observes TaskService.TaskKnown task) {
        metrics.watchQueue(task.name(), this, q -> q.length(task.name()));
    }

    double length(String task) {
        return counts.value(task);
    }
}
