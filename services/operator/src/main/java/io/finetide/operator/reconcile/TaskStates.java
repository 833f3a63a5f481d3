package io.finetide.operator.reconcile;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.operator.tasks.TaskApplication;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelRolledBackEvent;
import io.finetide.proto.v1.TrainingProgressEvent;

/**
 * Every task's {@link TaskState}, whoever reports on it (the reconciler, the pipeline's topics), and the one place
 * that writes a resource's status: changes are applied and written one at a time, so two writers never race.
 * State is kept for tasks without a resource too, so that a resource created later shows the champion at once.
 */
@ApplicationScoped
public class TaskStates {

    private final Map<String, TaskState> states = new HashMap<>();

    @Inject
    StatusWriter writer;

    public void applied(String task, long generation, TaskApplication result) {
        change(task, s -> s.applied(generation, result, Instant.now()));
    }

    public void snapshot(DatasetSnapshotEvent e) {
        change(e.getMeta().getTask(), s -> s.snapshot(e, Instant.now()));
    }

    public void progress(TrainingProgressEvent e) {
        change(e.getMeta().getTask(), s -> s.progress(e, Instant.now()));
    }

    public void promoted(ModelPromotedEvent e) {
        change(e.getMeta().getTask(), s -> s.promoted(e, Instant.now()));
    }

    public void rolledBack(ModelRolledBackEvent e) {
        change(e.getMeta().getTask(), s -> s.rolledBack(e, Instant.now()));
    }

    private synchronized void change(String task, Consumer<TaskState> update) {
        TaskState state = states.computeIfAbsent(task, t -> new TaskState());
        update.accept(state);
        writer.write(task, state.status());
    }
}
