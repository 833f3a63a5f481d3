package io.finetide.preprocessing.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.tasks.Directory;
import io.finetide.preprocessing.config.PreprocessingConfig;
import io.finetide.preprocessing.messaging.EventPublisher;
import io.finetide.preprocessing.store.PreparedExampleRecord;
import io.finetide.preprocessing.store.PreparedExampleStore;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.PreparedExampleEvent;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * Cleans, splits and tokenises each labelled example once, a batch at a time, and asks for a snapshot when a task has
 * gathered enough new training examples. Runs on the single consumer thread of its channel.
 */
@ApplicationScoped
public class PreparationService {

    private final Directory directory = new Directory();
    /** Per task: training examples prepared in all, and how many of them the newest snapshot holds. */
    private final Map<String, AtomicLong> training = new ConcurrentHashMap<>();
    private final Map<String, Long> inLatestSnapshot = new ConcurrentHashMap<>();

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

    public Directory directory() {
        return directory;
    }

    /**
     * Prepares a batch.
     *
     * @return the rejection of each refused example, by its position in {@code examples}
     */
    public Map<Integer, RejectedException> prepareAll(List<LabelledExampleEvent> examples) {
        Map<Integer, RejectedException> rejected = new LinkedHashMap<>();
        Map<String, PreparedExampleRecord> records = new LinkedHashMap<>();
        Map<String, TaskDefinitionEvent> batchTasks = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            try {
                PreparedExampleRecord r = prepare(examples.get(i), batchTasks);
                if (records.putIfAbsent(r.key(), r) != null) {
                    metrics.duplicate();
                }
            } catch (RejectedException e) {
                rejected.put(i, e);
                metrics.rejected(e.reason());
            }
        }
        List<PreparedExampleRecord> all = List.copyOf(records.values());
        for (TaskDefinitionEvent task : batchTasks.values()) {
            training.computeIfAbsent(task.getName(), t -> new AtomicLong(store.countTraining(t)));
            inLatestSnapshot.computeIfAbsent(task.getName(), snapshots::trainingInLatest);
        }
        Set<String> inserted = store.insertAllOnce(all);
        List<PreparedExampleEvent> events = new ArrayList<>();
        for (PreparedExampleRecord r : all) {
            if (!inserted.contains(r.key())) {
                metrics.duplicate();
                continue;
            }
            metrics.prepared(r.split());
            if (r.truncated()) {
                metrics.truncated();
            }
            if (r.split().equals(Split.TRAIN.name())) {
                training.get(r.task()).incrementAndGet();
            }
            events.add(PreparedExampleEvent.newBuilder().setMeta(Events.meta(r.task())).setId(r.id())
                    .setCleanText(r.cleanText()).setLabel(r.label()).setSplit(Split.valueOf(r.split()))
                    .setTokenCount(r.tokenCount()).setTruncated(r.truncated()).build());
        }
        publisher.prepared(events);
        for (TaskDefinitionEvent task : batchTasks.values()) {
            long fresh = training.get(task.getName()).get() - inLatestSnapshot.get(task.getName());
            if (fresh >= task.getTriggerMinNewExamples()) {
                inLatestSnapshot.put(task.getName(), snapshots.create(task).train());
            }
        }
        return rejected;
    }

    private PreparedExampleRecord prepare(LabelledExampleEvent example, Map<String, TaskDefinitionEvent> batchTasks) {
        Events.requireSupported(example.getMeta());
        String taskName = example.getMeta().getTask();
        // Tasks and examples travel on different topics: an example may overtake its task's definition.
        TaskDefinitionEvent task = batchTasks.computeIfAbsent(taskName, n -> directory.tasks().await(n,
                Duration.ofSeconds(config.taskWaitSeconds())).orElse(null));
        if (task == null) {
            batchTasks.remove(taskName);
            throw new RejectedException(ReasonCode.UNKNOWN_TASK, "unknown task '" + taskName + "'");
        }
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
        return new PreparedExampleRecord(taskName, example.getId(), clean, example.getLabel(), split.name(),
                Arrays.stream(tokens.ids()).boxed().toList(), tokens.fullLength(), tokens.truncated(),
                TextCleaner.VERSION, System.currentTimeMillis());
    }
}
