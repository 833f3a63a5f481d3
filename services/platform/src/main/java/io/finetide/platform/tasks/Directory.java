package io.finetide.platform.tasks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * What a service knows from the two compacted topics: each task's definition ({@code finetide.tasks}) and its
 * current champion ({@code finetide.models.promoted}), fed by the service's consumers of those topics.
 */
public final class Directory {

    private final KeyedRegistry<TaskDefinitionEvent> tasks = new KeyedRegistry<>();
    private final KeyedRegistry<ModelPromotedEvent> champions = new KeyedRegistry<>();
    private final List<Consumer<ModelPromotedEvent>> championListeners = new CopyOnWriteArrayList<>();

    /** A record of the tasks topic: a definition, or a tombstone (no value) that forgets the task. */
    public void onTaskRecord(String key, byte[] value) {
        if (value == null) {
            tasks.remove(key);
            return;
        }
        TaskDefinitionEvent task = Events.parse(value, TaskDefinitionEvent::parseFrom);
        tasks.put(task.getName(), task);
    }

    /** A record of the promotions topic: the newest one per task is its champion. */
    public void onChampionRecord(byte[] value) {
        ModelPromotedEvent e = Events.parse(value, ModelPromotedEvent::parseFrom);
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

    /**
     * The task's definition, waiting up to {@code wait} for it: its events and the task travel on different topics,
     * so an event may overtake its task's definition.
     */
    public TaskDefinitionEvent awaitTask(String name, Duration wait) {
        return tasks.await(name, wait)
                .orElseThrow(() -> new RejectedException(ReasonCode.UNKNOWN_TASK, "unknown task '" + name + "'"));
    }

    public KeyedRegistry<TaskDefinitionEvent> tasks() {
        return tasks;
    }

    public KeyedRegistry<ModelPromotedEvent> champions() {
        return champions;
    }
}
