package io.finetide.preprocessing.ownership;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.store.StoreRetry;
import io.finetide.preprocessing.preparation.PreparationService;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.PreparationStatusStore;
import io.finetide.preprocessing.store.PreparedExampleStore;
import io.finetide.preprocessing.store.SnapshotRequestStore;
import io.finetide.preprocessing.store.SnapshotStore;
import io.finetide.preprocessing.trigger.TriggerPolicy;

/**
 * Where a task's preparation stands, whichever instance is asked: the one that prepares the task answers from its
 * state, another with the status the owner last published ({@link StatusPublication}: at most a second or so old),
 * the snapshot requests waiting for the owner added; if none was published, from the owner's stored examples. Before, another instance answered from the state it had loaded
 * once, sequence 0 for a task it never prepared.
 */
@ApplicationScoped
public class PreparationStatus {

    @Inject
    TaskOwnership ownership;

    @Inject
    PreparationService preparation;

    @Inject
    PreparedExampleStore prepared;

    @Inject
    SnapshotStore snapshots;

    @Inject
    SnapshotRequestStore requests;

    @Inject
    PreparationStatusStore statuses;

    /** The owner's last published status, with the snapshot requests waiting for it added to its pending triggers. */
    private Optional<PreparationService.Status> published(String task) {
        return statuses.find(task).map(s -> {
            Map<String, String> pending = new LinkedHashMap<>(s.pendingTriggers());
            requests.waiting(task).forEach(r -> pending.put(TriggerPolicy.MANUAL, r.reason()));
            return new PreparationService.Status(task, s.sequence(), s.trainingExamples(), s.newTrainingExamples(), s
                    .lastSnapshotCut(), s.sinceLastSnapshot(), pending);
        });
    }

    public PreparationService.Status of(String task) {
        if (ownership.owns(task)) {
            return StoreRetry.call(() -> preparation.status(task));
        }
        Optional<PreparationService.Status> published = StoreRetry.call(() -> published(task));
        if (published.isPresent()) {
            return published.get();
        }
        // No owner has published yet (a task never prepared, or an owner of an older version): counted.
        return StoreRetry.call(() -> {
            Optional<DatasetSnapshotRecord> latest = snapshots.latest(task);
            long cut = latest.map(DatasetSnapshotRecord::cut).orElse(0L);
            long training = prepared.countTraining(task);
            Map<String, String> pending = new LinkedHashMap<>();
            requests.waiting(task).forEach(r -> pending.put(TriggerPolicy.MANUAL, r.reason()));
            return new PreparationService.Status(task, prepared.maxSeq(task), training, training - latest.map(
                    DatasetSnapshotRecord::trainTotalAtCut).orElse(0L), cut, prepared.countAfter(task, cut), pending);
        });
    }
}
