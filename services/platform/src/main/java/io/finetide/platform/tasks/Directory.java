package io.finetide.platform.tasks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * What a service knows from the two compacted topics: each task's definition ({@code finetide.tasks}) and its
 * current champion ({@code finetide.models.promoted}), fed by the service's consumers of those topics.
 */
public final class Directory {

    /**
     * Whether the directory has taken in every record the tasks topic holds now: a task it does not know then was
     * never defined (or was deleted), and an event naming it need not wait for its definition.
     */
    @FunctionalInterface
    public interface Freshness {
        boolean caughtUp();
    }

    /** How often a wait for a definition asks again whether the directory has caught up. */
    static final Duration RECHECK = Duration.ofMillis(250);

    private final KeyedRegistry<TaskDefinitionEvent> tasks = new KeyedRegistry<>();
    private volatile Freshness freshness = () -> false;
    private final KeyedRegistry<ModelPromotedEvent> champions = new KeyedRegistry<>();
    private final List<Consumer<ModelPromotedEvent>> championListeners = new CopyOnWriteArrayList<>();

    /** A definition read from the tasks topic: the newest revision is the task's. */
    public void define(TaskDefinitionEvent task) {
        tasks.put(task.getName(), task);
    }

    /** A tombstone read from the tasks topic (a key without a value): the task was deleted. */
    public void forget(String name) {
        tasks.remove(name);
    }

    /** A record of the promotions topic: the newest one per task is its champion. */
    public void promoted(ModelPromotedEvent e) {
        champions.put(e.getMeta().getTask(), e);
        championListeners.forEach(l -> l.accept(e));
    }

    /**
     * Calls {@code listener} with every promotion read, after it became the task's champion here, on the thread that
     * reads the topic: a listener with work to do hands it to a thread of its own.
     */
    public void onChampion(Consumer<ModelPromotedEvent> listener) {
        championListeners.add(listener);
    }

    /** Tells the directory how to know it has read the whole tasks topic (without it, it never knows). */
    public void followedBy(Freshness freshness) {
        this.freshness = freshness;
    }

    /**
     * The task's definition, waiting for it: its events and the task travel on different topics, so an event may
     * overtake its task's definition. The wait ends as soon as the directory has taken in the whole tasks topic, at
     * the latest after {@code wait}: an event naming a task nobody defined (a forged or corrupted record: the fuzzing
     * campaign sends thousands) is refused at once rather than holding its consumer for the whole {@code wait}.
     */
    public TaskDefinitionEvent awaitTask(String name, Duration wait) {
        java.util.Optional<TaskDefinitionEvent> known = tasks.get(name);
        if (known.isPresent()) {
            return known.get(); // the usual case: no question to the broker
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            // Freshness first: a definition taken in after the check is found by the look-up that follows it.
            boolean caughtUp = freshness.caughtUp();
            boolean last = caughtUp || System.nanoTime() >= deadline;
            java.util.Optional<TaskDefinitionEvent> task = tasks.get(name);
            if (task.isPresent()) {
                return task.get();
            }
            if (last) {
                throw new RejectedException(ReasonCode.UNKNOWN_TASK, "unknown task '" + name + "': " + (caughtUp
                        ? "the tasks topic, read to its end, does not define it"
                        : "no definition arrived within " + wait.toSeconds() + " s"));
            }
            long left = Math.max(1, Math.min(RECHECK.toNanos(), deadline - System.nanoTime()));
            tasks.await(name, Duration.ofNanos(left));
        }
    }

    public KeyedRegistry<TaskDefinitionEvent> tasks() {
        return tasks;
    }

    public KeyedRegistry<ModelPromotedEvent> champions() {
        return champions;
    }
}
