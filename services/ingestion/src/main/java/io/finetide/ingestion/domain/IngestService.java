package io.finetide.ingestion.domain;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.ingestion.messaging.EventPublisher;
import io.finetide.ingestion.store.ExampleRecord;
import io.finetide.ingestion.store.ExampleStore;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.events.Hashing;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.RawExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;

/** Validates an example against its task, stores it once, and emits it downstream once it is stored and labelled. */
@ApplicationScoped
public class IngestService {

    public enum Outcome {
        STORED, DUPLICATE
    }

    @Inject
    TaskService tasks;

    @Inject
    ExampleStore store;

    @Inject
    EventPublisher publisher;

    @Inject
    IngestionMetrics metrics;

    public Outcome ingest(RawExampleEvent raw, String source) {
        TaskDefinitionEvent task = tasks.find(raw.getTask()).orElseThrow(() -> new RejectedException(
                ReasonCode.UNKNOWN_TASK, "unknown task '" + raw.getTask() + "'"));
        validate(raw, task);
        ExampleRecord record = new ExampleRecord(task.getName(), raw.getId(), raw.getText(), raw.getLabel(),
                raw.getMetadataMap(), Hashing.sha256Hex(raw.getText().strip()), source, System.currentTimeMillis(),
                false);
        boolean inserted = store.insertOnce(record);
        ExampleRecord stored = inserted ? record : store.find(task.getName(), raw.getId()).orElseThrow();
        if (inserted) {
            metrics.stored();
        } else {
            metrics.duplicate();
        }
        // Unlabelled examples wait in the store for a label; only labelled ones go downstream.
        if (!stored.emitted() && !stored.label().isEmpty()) {
            publisher.labelled(toEvent(stored));
            store.markEmitted(stored.task(), stored.id());
            metrics.emitted();
        }
        return inserted ? Outcome.STORED : Outcome.DUPLICATE;
    }

    static void validate(RawExampleEvent raw, TaskDefinitionEvent task) {
        if (raw.getText().isBlank()) {
            throw new RejectedException(ReasonCode.EMPTY_TEXT, "text is empty");
        }
        int bytes = raw.getText().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > task.getMaxTextBytes()) {
            throw new RejectedException(ReasonCode.TEXT_TOO_LONG,
                    "text is " + bytes + " bytes, the task allows " + task.getMaxTextBytes());
        }
        if (!raw.getLabel().isEmpty() && !task.getLabelsList().contains(raw.getLabel())) {
            throw new RejectedException(ReasonCode.UNKNOWN_LABEL,
                    "label '" + raw.getLabel() + "' is not one of " + task.getLabelsList());
        }
    }

    private static LabelledExampleEvent toEvent(ExampleRecord r) {
        return LabelledExampleEvent.newBuilder()
                .setMeta(Events.meta(r.task()))
                .setId(r.id())
                .setText(r.text())
                .setLabel(r.label())
                .putAllMetadata(r.metadata())
                .setContentHash(r.contentHash())
                .setSource(r.source())
                .setIngestedAtMs(r.ingestedAtMs())
                .build();
    }
}
