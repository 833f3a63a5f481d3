package io.finetide.preprocessing.trigger;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.platform.store.StoreRetry;
import io.finetide.preprocessing.config.PreprocessingConfig;
import io.finetide.preprocessing.ownership.StatusPublication;
import io.finetide.preprocessing.ownership.TaskOwnership;
import io.finetide.preprocessing.preparation.PreparationService;
import io.finetide.preprocessing.preparation.TaskState;
import io.finetide.preprocessing.snapshot.SnapshotService;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.PreparedExampleStore;
import io.finetide.preprocessing.store.SnapshotRequestStore;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.runtime.DaemonScheduler;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The trigger thread: every {@code tickMillis} it prepares again the examples of tasks whose cleaning or
 * tokenisation changed, signals schedules, and makes the snapshots whose trigger window has closed. One thread, so
 * snapshots of a task never overlap. Only for the tasks this instance prepares ({@link TaskOwnership}): another
 * instance's view of a task is stale, and a snapshot it cut would race the owner's.
 */
@ApplicationScoped
public class TriggerService {

    private static final Logger LOG = Logger.getLogger(TriggerService.class);

    @Inject
    PreparationService preparation;

    @Inject
    SnapshotService snapshots;

    @Inject
    PreparedExampleStore store;

    @Inject
    PreprocessingConfig config;

    @Inject
    TaskOwnership ownership;

    @Inject
    SnapshotRequestStore requests;

    @Inject
    StatusPublication publication;

    /** Per task, the revision whose preparation was last checked. */
    private final Map<String, Integer> checkedRevision = new ConcurrentHashMap<>();
    /** Per task whose rounds fail, how the last one failed. */
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    private ScheduledExecutorService executor;

    void start(@Observes StartupEvent e) {
        executor = DaemonScheduler.single("preprocessing-triggers");
        executor.scheduleWithFixedDelay(this::tick, config.tickMillis(), config.tickMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent e) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** A person asked for a snapshot; it follows the debounce window but not the minimum interval. */
    public Map<String, String> requestManually(TaskDefinitionEvent task, String who) {
        String reason = "manual: requested" + (who.isBlank() ? "" : " by " + who);
        if (!ownership.owns(task.getName())) {
            // Another instance prepares the task: the request waits in the store until that one takes it.
            StoreRetry.run(() -> requests.add(task.getName(), reason, System.currentTimeMillis()));
            return Map.of(TriggerPolicy.MANUAL, reason);
        }
        TaskState s = preparation.state(task.getName());
        preparation.signal(s, TriggerPolicy.MANUAL, reason, System.currentTimeMillis());
        return s.policy.pending();
    }

    void tick() {
        // One read of the waiting requests per round, whatever the number of tasks.
        Map<String, List<SnapshotRequestStore.SnapshotRequest>> waiting = null;
        Set<String> owned = new HashSet<>();
        for (TaskDefinitionEvent task : preparation.directory().tasks().all()) {
            if (!ownership.owns(task.getName())) {
                continue;
            }
            owned.add(task.getName());
            try {
                if (waiting == null) {
                    waiting = StoreRetry.call(requests::waitingByTask);
                }
                tick(task, waiting.getOrDefault(task.getName(), List.of()), System.currentTimeMillis());
                publication.publishIfDue(preparation.status(task.getName()), System.currentTimeMillis());
                if (failing.remove(task.getName()) != null) {
                    LOG.infof("task %s: trigger rounds succeed again", task.getName());
                }
            } catch (RuntimeException ex) {
                // Rounds run a second apart: a failure that stays is logged once, not a stack trace a second.
                String how = String.valueOf(ex);
                if (!how.equals(failing.put(task.getName(), how))) {
                    LOG.errorf(ex, "task %s: trigger round failed, retried each round until it succeeds", task
                            .getName());
                }
            }
        }
        // A task gone or moved to another instance: its failure, should it come back failing, is logged again.
        failing.keySet().retainAll(owned);
    }

    private void tick(TaskDefinitionEvent task, List<SnapshotRequestStore.SnapshotRequest> waiting, long now) {
        String name = task.getName();
        if (!Integer.valueOf(task.getRevision()).equals(checkedRevision.get(name))) {
            StoreRetry.call(() -> preparation.reprepare(task));
            checkedRevision.put(name, task.getRevision());
        }
        TaskState s = preparation.state(name);
        // Signalled before the request is removed: a crash in between makes one snapshot more, never one less.
        for (SnapshotRequestStore.SnapshotRequest r : waiting) {
            preparation.signal(s, TriggerPolicy.MANUAL, r.reason(), now);
            StoreRetry.run(() -> requests.taken(r));
        }
        long schedule = task.getTriggers().getScheduleSeconds();
        if (schedule > 0 && s.committed() > s.snapshotCut() && now - s.snapshotAt() >= schedule * 1000) {
            preparation.signal(s, TriggerPolicy.SCHEDULE, "schedule: every " + schedule + " s, " + (s.committed() - s
                    .snapshotCut()) + " new example(s)", now);
        }
        Optional<Map<String, String>> due = s.policy.poll(now, task.getTriggers().getDebounceMillis(), task
                .getTriggers().getMinIntervalSeconds() * 1000);
        if (due.isEmpty()) {
            return;
        }
        Map<String, String> reasons = due.get();
        // Enough new examples may have been covered meanwhile by a snapshot another signal caused.
        if (reasons.size() == 1 && reasons.containsKey(TriggerPolicy.NEW_EXAMPLES) && s.freshTraining() < task
                .getTriggerMinNewExamples()) {
            return;
        }
        // Drift without new data would retrain on the same examples; only a person may ask for that.
        if (!reasons.containsKey(TriggerPolicy.MANUAL) && s.committed() <= s.snapshotCut()) {
            LOG.infof("task %s: no snapshot for %s, nothing new since the last one", name, reasons.values());
            return;
        }
        try {
            DatasetSnapshotRecord r = StoreRetry.call(() -> snapshots.create(task, s, List.copyOf(reasons
                    .values())));
            LOG.debugf("snapshot %s made", r.id());
        } catch (RuntimeException ex) {
            reasons.forEach((kind, reason) -> s.policy.signal(kind, reason, now));
            throw ex;
        }
    }
}
