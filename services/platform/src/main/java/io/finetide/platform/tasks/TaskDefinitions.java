package io.finetide.platform.tasks;

import java.util.List;
import java.util.regex.Pattern;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.ProtoJson;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;

/**
 * Task definitions as users write them (JSON, the protobuf field names in lowerCamelCase): read with the defaults of
 * {@link TaskDefaults}, validated by {@link TaskValidation}, against the bases of {@link BaseCatalogue}.
 */
public final class TaskDefinitions {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private TaskDefinitions() {
    }

    public static TaskDefinitionEvent fromJson(String json) {
        TaskDefinitionEvent.Builder b = TaskDefinitionEvent.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new RejectedException(ReasonCode.INVALID_TASK, "malformed task definition: " + e.getMessage());
        }
        return withDefaults(b.build());
    }

    /** The task as the API shows it: counts and times are JSON numbers ({@link ProtoJson}). */
    public static String toJson(TaskDefinitionEvent task) {
        return ProtoJson.print(task);
    }

    /** Fills every unset field with its default; set fields are kept. */
    public static TaskDefinitionEvent withDefaults(TaskDefinitionEvent in) {
        return TaskDefaults.withDefaults(in, BaseCatalogue.BUILTIN_BASES);
    }

    /**
     * Whether the task's model writes text for each example (a GPT-2's completion of a prompt, a T5's target for an
     * input) rather than labelling or tagging it: its examples carry their targets, which travel as their labels.
     */
    public static boolean writesText(TaskDefinitionEvent task) {
        return task.getType() == TaskType.TEXT_GENERATION || task.getType() == TaskType.SEQ2SEQ;
    }

    /** Every problem of a (defaulted) task, or an empty list. */
    public static List<String> problems(TaskDefinitionEvent t) {
        return TaskValidation.problems(t, BaseCatalogue.BUILTIN_BASES);
    }

    /**
     * Every problem of a definition read from the tasks topic: what ingestion's validation finds before it publishes
     * one, save whether an uploaded base is still there (only the training service holds the uploads; ingestion asked
     * it when the task was written). Only ingestion writes that topic, so a definition with problems is a corrupted
     * or forged record, and a service that took it in would fail on it at every turn.
     */
    public static List<String> problemsAsPublished(TaskDefinitionEvent t) {
        return TaskValidation.problems(t, base -> base.startsWith(BaseCatalogue.USER_BASE_PREFIX)
                ? ModelSpec.getDefaultInstance()
                : BaseCatalogue.BUILTIN_BASES.resolve(base));
    }

    /** Defaults, validation and a fresh envelope: what ingestion publishes. */
    public static TaskDefinitionEvent validated(TaskDefinitionEvent in) {
        return validated(in, BaseCatalogue.BUILTIN_BASES);
    }

    public static TaskDefinitionEvent validated(TaskDefinitionEvent in, BaseCatalogue.BaseResolver bases) {
        TaskDefinitionEvent t = TaskDefaults.withDefaults(in, bases);
        List<String> problems = TaskValidation.problems(t, bases);
        if (!problems.isEmpty()) {
            throw new RejectedException(ReasonCode.INVALID_TASK, String.join("; ", problems));
        }
        return t;
    }
}
