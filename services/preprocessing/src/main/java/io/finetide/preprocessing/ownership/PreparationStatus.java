package io.finetide.preprocessing.ownership;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.store.StoreRetry;
import io.finetide.preprocessing.preparation.PreparationService;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.PreparedExampleStore;
import io.finetide.preprocessing.store.SnapshotRequestStore;
import io.finetide.preprocessing.store.SnapshotStore;
import io.finetide.preprocessing.trigger.TriggerPolicy;

/**
 * Where a task's preparation stands, whichever instance is asked: the one that prepares the task answers from its
 * state, another from what the owner has stored (the triggers pending in the owner's memory it cannot see; it shows
 * the snapshot requests waiting for the owner instead). Before, another instance answered from the state it had loaded
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

    public PreparationService.Status of(String task) {
        if (ownership.owns(task)) {
            return StoreRetry.call(() -> preparation.status(task));
        }
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
