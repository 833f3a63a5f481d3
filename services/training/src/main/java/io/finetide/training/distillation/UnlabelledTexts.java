package io.finetide.training.distillation;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.proto.v1.ExamplesDeletedEvent;
import io.finetide.proto.v1.UnlabelledExampleEvent;
import io.finetide.training.config.TrainingServiceConfig;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.store.UnlabelledTextStore;

/**
 * The tasks' unlabelled examples, as ingestion announces them for scoring, kept for distillation: a student learns
 * from them too, by its teacher's labels. Examples deleted on a subject's request are removed.
 */
@ApplicationScoped
public class UnlabelledTexts {

    @Inject
    UnlabelledTextStore store;

    @Inject
    TrainingMetrics metrics;

    @Inject
    TrainingServiceConfig config;

    public void keep(List<UnlabelledExampleEvent> events) {
        Set<String> stored = store.keep(events);
        // By key, not by event: one batch may announce an example twice.
        java.util.Map<String, String> taskOf = new java.util.HashMap<>();
        events.forEach(e -> taskOf.put(e.getMeta().getTask() + "/" + e.getId(), e.getMeta().getTask()));
        stored.stream().collect(Collectors.groupingBy(taskOf::get, Collectors.counting())).forEach((task, n) -> metrics
                .unlabelled(task, "kept", n));
    }

    public void forget(ExamplesDeletedEvent e) {
        long n = store.forget(e.getMeta().getTask(), e.getIdsList());
        metrics.unlabelled(e.getMeta().getTask(), "forgotten", n);
    }

    /**
     * The task's unlabelled examples a student learns from: the newest, up to the configured bound, none of those the
     * snapshot holds (an example labelled since it was announced is in the snapshot, perhaps in its test split, and
     * must not be seen twice, nor by the back door).
     */
    public List<String> forStudent(String task, Set<String> inSnapshot) {
        return store.newest(task, inSnapshot, config.distillationMaxUnlabelled()).stream().map(
                UnlabelledTextStore.UnlabelledText::text).toList();
    }
}
