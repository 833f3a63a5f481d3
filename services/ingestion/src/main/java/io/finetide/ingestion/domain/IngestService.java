package io.finetide.ingestion.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

/**
 * Validates examples against their task, stores each once, and emits each new labelled one downstream. Works on
 * batches: one lookup of the ids already stored, all sends awaited together, one insert of the new ones.
 *
 * <p>
 * New examples are emitted before they are stored: a crash in between makes the replay emit them again (the
 * downstream consumer de-duplicates by id) and store them, so nothing is ever stored without having been emitted.
 */
@ApplicationScoped
public class IngestService {

    public enum Outcome {
        STORED, DUPLICATE, REJECTED
    }

    /** An example and where it came from ("finetide.examples.raw/0@42", "rest"). */
    public record Submission(RawExampleEvent raw, String source) {
    }

    /** Per submission, in order: what happened, and why when rejected. */
    public record Result(Outcome outcome, RejectedException rejection) {
    }

    @Inject
    TaskService tasks;

    @Inject
    ExampleStore store;

    @Inject
    EventPublisher publisher;

    @Inject
    IngestionMetrics metrics;

    public List<Result> ingestAll(List<Submission> submissions) {
        Result[] results = new Result[submissions.size()];
        Map<String, ExampleRecord> candidates = new LinkedHashMap<>();
        List<Integer> candidateIndex = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < submissions.size(); i++) {
            Submission s = submissions.get(i);
            try {
                RawExampleEvent raw = s.raw();
                TaskDefinitionEvent task = tasks.find(raw.getTask()).orElseThrow(() -> new RejectedException(
                        ReasonCode.UNKNOWN_TASK, "unknown task '" + raw.getTask() + "'"));
                validate(raw, task);
                ExampleRecord record = new ExampleRecord(task.getName(), raw.getId(), raw.getText(), raw.getLabel(),
                        raw.getMetadataMap(), Hashing.sha256Hex(raw.getText().strip()), s.source(), now);
                if (candidates.putIfAbsent(record.key(), record) == null) {
                    candidateIndex.add(i);
                } else {
                    results[i] = new Result(Outcome.DUPLICATE, null); // the same id twice in one batch
                }
            } catch (RejectedException e) {
                results[i] = new Result(Outcome.REJECTED, e);
            }
        }

        Set<String> known = store.existing(candidates.keySet());
        List<ExampleRecord> fresh = candidates.values().stream().filter(c -> !known.contains(c.key())).toList();
        // Unlabelled examples wait in the store for a label; only labelled ones go downstream.
        List<LabelledExampleEvent> emit = fresh.stream().filter(c -> !c.label().isEmpty())
                .map(IngestService::toEvent).toList();
        publisher.labelled(emit);
        Set<String> inserted = store.insertNew(fresh);

        int k = 0;
        for (ExampleRecord candidate : candidates.values()) {
            boolean isNew = inserted.contains(candidate.key());
            results[candidateIndex.get(k++)] = new Result(isNew ? Outcome.STORED : Outcome.DUPLICATE, null);
        }
        for (Result r : results) {
            switch (r.outcome()) {
                case STORED -> metrics.stored();
                case DUPLICATE -> metrics.duplicate();
                default -> {
                }
            }
        }
        metrics.emitted(emit.size());
        return List.of(results);
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
