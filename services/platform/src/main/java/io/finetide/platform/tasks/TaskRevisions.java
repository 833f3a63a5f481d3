package io.finetide.platform.tasks;

import java.util.ArrayList;
import java.util.List;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.TaskDefinitionEvent;

/** A task's life: stamped on creation, compared by content, and changed into its next revision. */
public final class TaskRevisions {

    public static TaskDefinitionEvent stamped(TaskDefinitionEvent t, long createdAtMs) {
        return t.toBuilder().setMeta(Events.meta(t.getName())).setCreatedAtMs(createdAtMs)
                .setRevision(Math.max(1, t.getRevision())).build();
    }

    /**
     * The definition without its envelope, timestamps and revision: two submissions are the same task when these are
     * equal.
     */
    public static TaskDefinitionEvent content(TaskDefinitionEvent t) {
        return t.toBuilder().clearMeta().clearCreatedAtMs().clearRevision().build();
    }

    /**
     * A change to an existing task: the labels, the type and the split ratios cannot change (examples already carry
     * them: a new label set or other ratios would be a new task); the rest can, and the revision goes up by one.
     */
    public static TaskDefinitionEvent changed(TaskDefinitionEvent existing, TaskDefinitionEvent submitted,
            BaseCatalogue.BaseResolver bases) {
        TaskDefinitionEvent t = TaskDefinitions.validated(submitted, bases);
        List<String> p = new ArrayList<>();
        if (!t.getName().equals(existing.getName())) {
            p.add("name cannot change");
        }
        if (!t.getLabelsList().equals(existing.getLabelsList())) {
            p.add("labels cannot change (create a new task)");
        }
        if (t.getType() != existing.getType()) {
            p.add("type cannot change");
        }
        if (!t.getSplits().equals(existing.getSplits())) {
            p.add("splits cannot change: examples keep the split they were given");
        }
        if (!p.isEmpty()) {
            throw new RejectedException(ReasonCode.INVALID_TASK, String.join("; ", p));
        }
        return t.toBuilder().setMeta(Events.meta(t.getName())).setCreatedAtMs(existing.getCreatedAtMs())
                .setRevision(existing.getRevision() + 1).build();
    }

    private TaskRevisions() {
    }
}
