package io.finetide.preprocessing.domain;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.tasks.KeyedRegistry;
import io.finetide.preprocessing.config.PreprocessingConfig;
import io.finetide.preprocessing.messaging.EventPublisher;
import io.finetide.preprocessing.store.PreparedExampleRecord;
import io.finetide.preprocessing.store.PreparedExampleStore;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.PreparedExampleEvent;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * Cleans, splits and tokenises each labelled example once, and asks for a snapshot when a task has gathered enough
 * new training examples. Runs on the single consumer thread of its channel, so the per-task counters need no locks
 * beyond their atomics.
 */
@ApplicationScoped
public class PreparationService {

    public enum Outcome {
        PREPARED, DUPLICATE
    }

    private final KeyedRegistry<TaskDefinitionEvent> tasks = new KeyedRegistry<>();
    private final Map<String, AtomicLong> newTraining = new ConcurrentHashMap<>();

    @Inject
    PreparedExampleStore store;

    @Inject
    Tokenizers tokenizers;

    @Inject
    SnapshotService snapshots;

    @Inject
    EventPublisher publisher;

    @Inject
    PreprocessingMetrics metrics;

    @Inject
    PreprocessingConfig config;

    public KeyedRegistry<TaskDefinitionEvent> tasks() {
        return tasks;
    }

    public Outcome prepare(LabelledExampleEvent example) {
        Events.requireSupported(example.getMeta());
        String taskName = example.getMeta().getTask();
        // Tasks and examples travel on different topics: an example may overtake its task's definition.
        TaskDefinitionEvent task = tasks.await(taskName, Duration.ofSeconds(config.taskWaitSeconds()))
                .orElseThrow(() -> new RejectedException(ReasonCode.UNKNOWN_TASK, "unknown task '" + taskName + "'"));
        if (!task.getLabelsList().contains(example.getLabel())) {
            throw new RejectedException(ReasonCode.UNKNOWN_LABEL, "label '" + example.getLabel() + "' not in task");
        }
        String clean = TextCleaner.clean(example.getText());
        if (clean.isEmpty()) {
            throw new RejectedException(ReasonCode.EMPTY_AFTER_CLEANING, "text is empty after cleaning");
        }
        Split split = Splitter.assign(taskName, example.getId(), task.getSplits());
        Tokenizers.Tokens tokens = tokenizers.tokenize(task.getModel().getTokenizer(), clean,
                task.getModel().getMaxSeqLen());
        PreparedExampleRecord record = new PreparedExampleRecord(taskName, example.getId(), clean, example.getLabel(),
                split.name(), Arrays.stream(tokens.ids()).boxed().toList(), tokens.fullLength(), tokens.truncated(),
                TextCleaner.VERSION, 0, System.currentTimeMillis());
        AtomicLong counter = newTraining.computeIfAbsent(taskName, t -> new AtomicLong(store.countNewTraining(t)));
        if (!store.insertOnce(record)) {
            metrics.duplicate();
            return Outcome.DUPLICATE;
        }
        metrics.prepared(split.name());
        if (tokens.truncated()) {
            metrics.truncated();
        }
        publisher.prepared(PreparedExampleEvent.newBuilder().setMeta(Events.meta(taskName)).setId(example.getId())
                .setCleanText(clean).setLabel(example.getLabel()).setSplit(split)
                .setTokenCount(tokens.fullLength()).setTruncated(tokens.truncated()).build());
        if (split == Split.TRAIN && counter.incrementAndGet() >= task.getTriggerMinNewExamples()) {
            snapshots.create(task, counter.get());
            counter.set(store.countNewTraining(taskName));
        }
        return Outcome.PREPARED;
    }
}
