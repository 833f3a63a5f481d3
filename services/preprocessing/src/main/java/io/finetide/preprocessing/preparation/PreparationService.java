package io.finetide.preprocessing.preparation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.tagging.Bio;
import io.finetide.platform.tasks.Directory;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.text.CleaningPipeline;
import io.finetide.preprocessing.config.PreprocessingConfig;
import io.finetide.preprocessing.drift.DriftMonitor;
import io.finetide.preprocessing.messaging.EventPublisher;
import io.finetide.preprocessing.metrics.PreprocessingMetrics;
import io.finetide.preprocessing.snapshot.Splitter;
import io.finetide.preprocessing.store.PreparedExampleRecord;
import io.finetide.preprocessing.store.PreparedExampleStore;
import io.finetide.preprocessing.store.SnapshotStore;
import io.finetide.preprocessing.trigger.TriggerPolicy;
import io.finetide.proto.v1.ExamplesDeletedEvent;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.PreparedExampleEvent;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;

/**
 * Cleans, splits and tokenises each labelled example once, a batch at a time, gives it the task's next sequence
 * number, and signals the task's trigger policy when enough new training examples have gathered. Runs on the single
 * consumer thread of its channel; snapshots are made on the trigger thread ({@link TriggerService}).
 */
@ApplicationScoped
public class PreparationService {

    private static final Logger LOG = Logger.getLogger(PreparationService.class);

    /** A labelled example and the topic record it came in. */
    public record Incoming(LabelledExampleEvent event, String topic, int partition, long offset) {
    }

    @Inject
    Directory directory;
    private final Map<String, TaskState> states = new ConcurrentHashMap<>();
    /** Partition moves announced, and the number this instance's task states were loaded after. */
    private final java.util.concurrent.atomic.AtomicLong handovers = new java.util.concurrent.atomic.AtomicLong();
    private long statesAfter;
    private final Map<String, CleaningPipeline> pipelines = new ConcurrentHashMap<>();

    @Inject
    PreparedExampleStore store;

    @Inject
    SnapshotStore snapshots;

    @Inject
    Tokenizers tokenizers;

    @Inject
    EventPublisher publisher;

    @Inject
    PreprocessingMetrics metrics;

    @Inject
    PreprocessingConfig config;

    @Inject
    DriftMonitor drift;

    public Directory directory() {
        return directory;
    }

    /**
     * The labelled topic's partitions moved: each task's state is loaded from the store again before the next batch
     * (not during one: the batch in hand goes on with what it read).
     */
    public void partitionsMoved() {
        handovers.incrementAndGet();
    }

    /**
     * Forgets the task states if the partitions moved since they were loaded, so that each is loaded from the store
     * again; never while a batch is being prepared (both hold this service's lock). The consumer calls it before each
     * batch. Not the trigger thread: a state forgotten there took its pending trigger signals with it (a drift signal
     * raised in the batch before a rebalance made no snapshot; PreprocessingFlowIT in CI).
     */
    private synchronized void reloadIfMoved() {
        long moved = handovers.get();
        if (moved != statesAfter) {
            statesAfter = moved;
            states.clear();
        }
    }

    /** The task's state, loaded from the store the first time. */
    public TaskState state(String task) {
        return states.computeIfAbsent(task, t -> {
            TaskState s = new TaskState(t, store.maxSeq(t), store.countTraining(t), store.countGolden(t), snapshots
                    .latest(t).orElse(null), store.knownIds(t));
            store.labelSplitCounts(t).forEach((label, bySplit) -> bySplit.forEach((split, n) -> s.splitter.seed(
                    label, Split.valueOf(split), n)));
            store.forEachInRange(t, s.snapshotCut(), Long.MAX_VALUE, s::seen);
            return s;
        });
    }

    /** What {@code GET /api/v1/tasks/{task}/preparation} answers. */
    public record Status(String task, long sequence, long trainingExamples, long newTrainingExamples,
            long lastSnapshotCut, long sinceLastSnapshot, Map<String, String> pendingTriggers) {
    }

    public Status status(String task) {
        TaskState s = state(task);
        return new Status(task, s.committed(), s.trainTotal(), s.freshTraining(), s.snapshotCut(), s.windowSize(),
                s.policy.pending());
    }

    public CleaningPipeline pipeline(TaskDefinitionEvent task) {
        return pipelines.computeIfAbsent(task.getName() + "#" + task.getRevision(), k -> CleaningPipeline.of(task
                .getPreprocessing().getCleaningList()));
    }

    /**
     * Prepares a batch.
     *
     * @return the rejection of each refused example, by its position in {@code batch}
     */
    public synchronized Map<Integer, RejectedException> prepareAll(List<Incoming> batch) {
        reloadIfMoved();
        Map<Integer, RejectedException> rejected = new LinkedHashMap<>();
        Map<String, Candidate> candidates = new LinkedHashMap<>();
        Map<String, TaskDefinitionEvent> batchTasks = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            try {
                Candidate c = candidate(batch.get(i), batchTasks);
                if (candidates.putIfAbsent(PreparedExampleRecord.key(c.task.getName(), c.in.event().getId()),
                        c) != null) {
                    metrics.duplicate();
                }
            } catch (RejectedException e) {
                rejected.put(i, e);
                metrics.rejected(e.reason());
            }
        }
        // Only examples never prepared (nor deleted on request) get a sequence number and a split.
        List<PreparedExampleRecord> fresh = new ArrayList<>();
        for (Candidate c : candidates.values()) {
            if (state(c.task.getName()).isKnown(c.in.event().getId())) {
                metrics.duplicate();
            } else {
                fresh.add(record(c));
            }
        }
        Set<String> inserted = store.insertNew(fresh);
        List<PreparedExampleEvent> events = new ArrayList<>();
        for (PreparedExampleRecord r : fresh) {
            if (!inserted.contains(r.key())) {
                // Stored by an earlier owner of the task's partition after this one loaded its ids.
                metrics.duplicate();
                continue;
            }
            state(r.task()).know(List.of(r.id()));
            state(r.task()).committed(r);
            metrics.prepared(r.task(), r.split());
            if (r.truncated()) {
                metrics.truncated(r.task());
            }
            events.add(PreparedExampleEvent.newBuilder().setMeta(Events.meta(r.task())).setId(r.id())
                    .setCleanText(r.cleanText()).setCleanTextPair(r.cleanTextPair()).setLabel(r.label())
                    .setCompletion(r.completion())
                    .setSplit(Split.valueOf(r.split()))
                    .setTokenCount(r.tokenCount()).setTruncated(r.truncated()).build());
        }
        publisher.prepared(events);
        long now = System.currentTimeMillis();
        for (TaskDefinitionEvent task : batchTasks.values()) {
            TaskState s = state(task.getName());
            long freshTraining = s.freshTraining();
            if (freshTraining >= task.getTriggerMinNewExamples()) {
                signal(s, TriggerPolicy.NEW_EXAMPLES, "new-examples: " + freshTraining + " >= " + task
                        .getTriggerMinNewExamples(), now);
            }
            drift.onNewData(task, s);
        }
        return rejected;
    }

    /**
     * Removes a subject's examples and remembers their ids, so that a replay cannot prepare them again.
     *
     * @return how many prepared examples were removed
     */
    public long delete(ExamplesDeletedEvent e) {
        String task = e.getMeta().getTask();
        TaskState s = state(task);
        long n = store.delete(task, e.getIdsList(), e.getReason(), System.currentTimeMillis());
        s.know(e.getIdsList());
        metrics.deleted(n);
        return n;
    }

    public void signal(TaskState s, String kind, String reason, long now) {
        s.policy.signal(kind, reason, now);
        metrics.trigger(s.task, kind);
    }

    /** @param cleanPair a text-pair example's cleaned second text; empty for every other kind */
    private record Candidate(Incoming in, TaskDefinitionEvent task, String clean, String cleanPair,
            Tokenizers.Tokens tokens) {
    }

    private Candidate candidate(Incoming in, Map<String, TaskDefinitionEvent> batchTasks) {
        LabelledExampleEvent example = in.event();
        Events.requireSupported(example.getMeta());
        String taskName = example.getMeta().getTask();
        // Tasks and examples travel on different topics: an example may overtake its task's definition.
        TaskDefinitionEvent task = batchTasks.computeIfAbsent(taskName, n -> directory.awaitTask(n, Duration
                .ofSeconds(config.taskWaitSeconds())));
        if (tagged(task)) {
            String problem = Bio.tagProblem(example.getTokensList(), example.getTagsList(), task.getLabelsList());
            if (problem != null) {
                throw new RejectedException(ReasonCode.TOKEN_TAG_MISMATCH, problem);
            }
            String words = String.join(" ", example.getTokensList());
            return new Candidate(in, task, words, "", tokenize(task, words));
        }
        if (generation(task)) {
            // The completion is kept as written (it is what the model is to write); the prompt is cleaned.
            String prompt = pipeline(task).clean(example.getText());
            return new Candidate(in, task, prompt, "", measured(task, prompt, example.getLabel()));
        }
        if (!task.getLabelsList().contains(example.getLabel())) {
            throw new RejectedException(ReasonCode.UNKNOWN_LABEL, "label '" + example.getLabel() + "' not in task");
        }
        String clean = pipeline(task).clean(example.getText());
        if (paired(task)) {
            String cleanPair = pipeline(task).clean(example.getTextPair());
            return new Candidate(in, task, clean, cleanPair, tokenizePair(task, clean, cleanPair));
        }
        return new Candidate(in, task, clean, "", tokenize(task, clean));
    }

    /**
     * Whether the task tags words (BIO). Its examples are not cleaned: the words and their tags are fixed, and cleaning
     * could merge or drop words under their tags; the prepared text is the words joined by single spaces.
     */
    static boolean tagged(TaskDefinitionEvent task) {
        return task.getType() == TaskType.TOKEN_CLASSIFICATION;
    }

    /** Whether the task classifies pairs of texts: both are cleaned, and tokenised together. */
    static boolean paired(TaskDefinitionEvent task) {
        return task.getType() == TaskType.TEXT_PAIR_CLASSIFICATION;
    }

    /**
     * Whether the task writes text: the prompt (a sequence-to-sequence task's input) is cleaned, the completion (its
     * target; the example's label) kept as written.
     */
    static boolean generation(TaskDefinitionEvent task) {
        return TaskDefinitions.writesText(task);
    }

    /**
     * A written example measured as its model reads it: a decoder's prompt and completion together, one sequence; an
     * encoder-decoder's input alone, its encoder's sequence (the target is the decoder's).
     */
    private Tokenizers.Tokens measured(TaskDefinitionEvent task, String clean, String completion) {
        return task.getType() == TaskType.SEQ2SEQ
                ? tokenize(task, clean)
                : tokenizePair(task, clean, completion);
    }

    /** @throws RejectedException when the tokenizer finds nothing it knows in the text */
    Tokenizers.Tokens tokenize(TaskDefinitionEvent task, String clean) {
        return known(task, tokenizers.tokenize(task, clean));
    }

    /** @throws RejectedException when the tokenizer finds nothing it knows in the two texts */
    Tokenizers.Tokens tokenizePair(TaskDefinitionEvent task, String clean, String cleanPair) {
        return known(task, tokenizers.tokenizePair(task, clean, cleanPair));
    }

    private static Tokenizers.Tokens known(TaskDefinitionEvent task, Tokenizers.Tokens tokens) {
        if (tokens.content() == 0 || tokens.unknown() == tokens.content()) {
            throw new RejectedException(ReasonCode.UNTOKENIZABLE, "the tokenizer '" + task.getModel().getTokenizer()
                    + "' knows none of the " + tokens.content() + " token(s) of the cleaned text");
        }
        return tokens;
    }

    private PreparedExampleRecord record(Candidate c) {
        TaskDefinitionEvent task = c.task;
        LabelledExampleEvent e = c.in.event();
        TaskState s = state(task.getName());
        Split split = task.getPreprocessing().getStratify()
                ? s.splitter.assignStratified(task.getName(), e.getId(), e.getLabel(), task.getSplits())
                : Splitter.assign(task.getName(), e.getId(), task.getSplits());
        boolean golden = split == Split.TEST && s.takeGoldenSlot(task.getPreprocessing().getGoldenTestSize());
        boolean writes = generation(task);
        return build(task, e.getId(), new Texts(e.getText(), c.clean, e.getTextPair(), c.cleanPair, writes
                ? e.getLabel()
                : ""), writes ? "" : e.getLabel(),
                split, golden, s.nextSeq(), c.tokens, c.in.topic(), c.in.partition(), c.in.offset(), e.getTokensList(),
                e.getTagsList(), e.getMetadataMap());
    }

    /**
     * An example's text as ingested and cleaned, a text-pair example's second text the same way, and a generation
     * example's completion as written (else empty).
     */
    record Texts(String text, String clean, String textPair, String cleanPair, String completion) {
    }

    PreparedExampleRecord build(TaskDefinitionEvent task, String id, Texts texts, String label, Split split,
            boolean golden, long seq, Tokenizers.Tokens t, String topic, int partition, long offset,
            List<String> words, List<String> tags, Map<String, String> metadata) {
        String text = texts.text();
        String clean = texts.clean();
        return new PreparedExampleRecord(task.getName(), id, text, clean, label, split.name(), golden, seq, Arrays
                .stream(t.ids()).boxed().toList(), t.fullLength(), t.truncated(), t.unknown(), t.content(),
                pipeline(task).version(), Tokenizers.version(task), topic, partition, offset, System
                        .currentTimeMillis(),
                words, tags, metadata, texts.textPair(), texts.cleanPair(), texts.completion());
    }

    /**
     * Prepares again, from the ingested text, every example of the task made with another cleaning or tokenisation
     * than the task's current one; splits, sequence numbers and sources stay. Examples the new cleaning refuses are
     * removed. Runs on the trigger thread.
     *
     * @return how many examples were prepared again
     */
    public long reprepare(TaskDefinitionEvent task) {
        String cleaning = pipeline(task).version();
        String tokenization = Tokenizers.version(task);
        List<PreparedExampleRecord> batch = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        long[] done = {0};
        store.forEachInRange(task.getName(), Long.MIN_VALUE, Long.MAX_VALUE, r -> {
            if (cleaning.equals(r.cleaningVersion()) && tokenization.equals(r.tokenizerVersion())) {
                return;
            }
            try {
                String clean = tagged(task) ? String.join(" ", r.words()) : pipeline(task).clean(r.text());
                String cleanPair = paired(task) ? pipeline(task).clean(r.textPair()) : "";
                batch.add(build(task, r.id(), new Texts(r.text(), clean, r.textPair(), cleanPair, r.completion()), r
                        .label(),
                        Split
                                .valueOf(r.split()),
                        r.golden(), r.seq(),
                        paired(task)
                                ? tokenizePair(task, clean, cleanPair)
                                : generation(task) ? measured(task, clean, r.completion()) : tokenize(task, clean),
                        r.sourceTopic(), r.sourcePartition(), r.sourceOffset(),
                        r.words(), r.tags(), r.metadata()));
            } catch (RejectedException e) {
                refused.add(r.id());
                metrics.rejected(e.reason());
            }
        });
        for (int from = 0; from < batch.size(); from += 500) {
            List<PreparedExampleRecord> part = batch.subList(from, Math.min(batch.size(), from + 500));
            io.finetide.platform.store.StoreRetry.call(() -> {
                store.replaceAll(part);
                return null;
            });
            done[0] += part.size();
        }
        if (!refused.isEmpty()) {
            store.delete(task.getName(), refused, "refused by the task's new cleaning", System.currentTimeMillis());
        }
        metrics.reprepared(done[0]);
        LOG.infof("task %s revision %d: prepared %d example(s) again (%s, %s), %d refused now", task.getName(), task
                .getRevision(), done[0], cleaning, tokenization, refused.size());
        return done[0];
    }
}
