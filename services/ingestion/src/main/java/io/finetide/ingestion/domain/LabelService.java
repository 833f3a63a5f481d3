package io.finetide.ingestion.domain;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.ingestion.messaging.EventPublisher;
import io.finetide.ingestion.store.ExampleRecord;
import io.finetide.ingestion.store.ExampleStore;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.proto.v1.RawLabelEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * Labels that arrive after their example (from {@code finetide.labels} or {@code POST /api/v1/labels}). The first
 * valid label of an unlabelled example is stored and the example goes downstream, as if it had come labelled. A
 * later label never overwrites: the same label again is a duplicate, a different one a conflict, and both are kept in
 * the example's label history (who, what, when) for adjudication.
 */
@ApplicationScoped
public class LabelService {

    public enum Outcome {
        LABELLED, DUPLICATE, CONFLICT
    }

    @Inject
    TaskService tasks;

    @Inject
    ExampleStore store;

    @Inject
    EventPublisher publisher;

    @Inject
    IngestionMetrics metrics;

    /**
     * @throws RejectedException UNKNOWN_TASK, UNKNOWN_LABEL, or UNKNOWN_EXAMPLE when no example has that id
     */
    public Outcome apply(RawLabelEvent label) {
        TaskDefinitionEvent task = tasks.find(label.getTask()).orElseThrow(() -> new RejectedException(
                ReasonCode.UNKNOWN_TASK, "unknown task '" + label.getTask() + "'"));
        if (!task.getLabelsList().contains(label.getLabel())) {
            throw new RejectedException(ReasonCode.UNKNOWN_LABEL, "label '" + label.getLabel() + "' is not one of "
                    + task.getLabelsList());
        }
        ExampleRecord example = store.find(task.getName(), label.getId()).orElseThrow(() -> new RejectedException(
                ReasonCode.UNKNOWN_EXAMPLE, "task '" + task.getName() + "' has no example '" + label.getId() + "'"));
        long now = System.currentTimeMillis();
        Outcome outcome;
        if (example.label().isEmpty()) {
            // Emitted before it is stored, like new examples: a crash in between re-emits on replay, and
            // preprocessing ignores an id it has prepared.
            publisher.labelled(List.of(example.toEvent(label.getLabel(), now)));
            outcome = store.labelOnce(task.getName(), label.getId(), label.getLabel())
                    ? Outcome.LABELLED
                    : outcomeAgainst(store.find(task.getName(), label.getId()).map(ExampleRecord::label).orElse(""),
                            label.getLabel());
        } else {
            outcome = outcomeAgainst(example.label(), label.getLabel());
        }
        store.recordLabel(task.getName(), label.getId(), label.getLabel(), label.getAnnotator(), outcome.name(), now);
        metrics.label(outcome.name().toLowerCase(java.util.Locale.ROOT));
        return outcome;
    }

    private static Outcome outcomeAgainst(String stored, String label) {
        return stored.equals(label) ? Outcome.DUPLICATE : Outcome.CONFLICT;
    }
}
