package io.finetide.ingestion.labeling;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.ingestion.messaging.LabelledSender;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.ingestion.store.ExampleRecord;
import io.finetide.ingestion.store.ExampleStore;
import io.finetide.ingestion.store.LabelingStore;
import io.finetide.ingestion.tasks.TaskService;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.tagging.Bio;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.ConflictPolicy;
import io.finetide.proto.v1.RawLabelEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;

/**
 * Labels that arrive after their example (from {@code finetide.labels}, {@code POST /api/v1/labels} or the labeling
 * page). With the default quorum of 1 the first valid label decides. With a quorum of n, each annotator votes once; at
 * n votes the task's conflict policy decides (majority, or unanimity) or holds the example for an admin to
 * adjudicate. A decided example goes downstream once, as if it had come labelled. A decided label is never
 * overwritten: a later label is a duplicate or a conflict. Every label given is kept in the example's history.
 */
@ApplicationScoped
public class LabelService {

    public enum Outcome {
        /** This label decided the example. */
        LABELLED,
        /** A vote recorded; the quorum is not reached yet. */
        VOTED,
        /** The quorum disagrees: held for adjudication. */
        HELD,
        /** An admin decided a held (or any unlabelled) example. */
        ADJUDICATED,
        /** The same label as the decided one, or as this annotator's earlier vote. */
        DUPLICATE,
        /** Another label than the decided one, or than this annotator's earlier vote (the first stays). */
        CONFLICT;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Inject
    TaskService tasks;

    @Inject
    ExampleStore store;

    @Inject
    LabelingStore labeling;

    @Inject
    LabelledSender sender;

    @Inject
    IngestionMetrics metrics;

    /**
     * Synchronised: two annotators' votes on one example must not both see the other missing and both decide.
     *
     * @throws RejectedException UNKNOWN_TASK, UNKNOWN_LABEL, UNKNOWN_EXAMPLE, or MISSING_FIELD when the task needs
     *                           several annotators and the label names none
     */
    public synchronized Outcome apply(RawLabelEvent label) {
        return apply(label, () -> store.find(label.getTask(), label.getId()));
    }

    /**
     * A batch from the labels topic, each label applied as {@link #apply(RawLabelEvent)} does, their examples read in
     * one look-up: on FerretDB a look-up by id scans the collection, so one per label was one pass per label. A
     * second label for one example in the batch reads its example again (the first may have labelled it).
     *
     * @return the refused labels, by their place in the batch
     */
    public synchronized Map<Integer, RejectedException> applyAll(List<RawLabelEvent> labels) {
        Map<String, ExampleRecord> read = store.findAll(labels.stream().map(l -> ExampleRecord.key(l.getTask(), l
                .getId())).toList());
        Set<String> applied = new HashSet<>();
        Map<Integer, RejectedException> refused = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            RawLabelEvent label = labels.get(i);
            String key = ExampleRecord.key(label.getTask(), label.getId());
            try {
                apply(label, applied.add(key)
                        ? () -> Optional.ofNullable(read.get(key))
                        : () -> store.find(label.getTask(), label.getId()));
            } catch (RejectedException e) {
                refused.put(i, e);
            }
        }
        return refused;
    }

    /** @param stored the label's example, as stored */
    private Outcome apply(RawLabelEvent label, Supplier<Optional<ExampleRecord>> stored) {
        TaskDefinitionEvent task = tasks.require(label.getTask());
        ExampleRecord example = example(task, label.getId(), label.getLabel(), label.getTagsList(), stored);
        String given = canonical(task, example, label.getLabel(), label.getTagsList());
        long now = System.currentTimeMillis();
        String annotator = label.getAnnotator().isBlank() ? "" : label.getAnnotator().strip();
        int quorum = Math.max(1, task.getLabeling().getQuorum());
        Outcome outcome;
        if (!example.label().isEmpty()) {
            // Labelled already: a replay or a retry, which sends the stored label if a crash left it unsent.
            sender.send(List.of(), List.of(example.key()));
            outcome = against(example.label(), given);
        } else if (quorum == 1) {
            if (!annotator.isEmpty()) {
                labeling.voteOnce(task.getName(), new LabelingStore.Vote(example.id(), annotator, given,
                        now));
            }
            outcome = decide(task, example, given, Outcome.LABELLED, false);
        } else {
            if (annotator.isEmpty()) {
                throw new RejectedException(ReasonCode.MISSING_FIELD, "annotator is required: task '" + task
                        .getName() + "' needs " + quorum + " annotators per example");
            }
            outcome = vote(task, example, annotator, given, quorum, now);
        }
        store.recordLabel(task.getName(), label.getId(), given, annotator, outcome.name(), now);
        metrics.label(task.getName(), outcome.tag());
        if (!annotator.isEmpty()) {
            metrics.annotatorLabel(task.getName(), annotator);
        }
        return outcome;
    }

    /**
     * An admin's decision for an unlabelled example (held or not). A decided example keeps its label: the answer
     * says duplicate or conflict.
     */
    public synchronized Outcome adjudicate(String taskName, String id, String givenLabel, List<String> tags,
            String admin) {
        TaskDefinitionEvent task = tasks.require(taskName);
        ExampleRecord example = example(task, id, givenLabel, tags);
        String label = canonical(task, example, givenLabel, tags);
        Outcome outcome = example.label().isEmpty()
                ? decide(task, example, label, Outcome.ADJUDICATED, true)
                : against(example.label(), label);
        store.recordLabel(task.getName(), id, label, admin, outcome.name(), System.currentTimeMillis());
        metrics.label(task.getName(), outcome.tag());
        return outcome;
    }

    private Outcome vote(TaskDefinitionEvent task, ExampleRecord example, String annotator, String label, int quorum,
            long now) {
        if (!labeling.voteOnce(task.getName(), new LabelingStore.Vote(example.id(), annotator, label, now))) {
            return against(labeling.vote(task.getName(), example.id(), annotator).orElseThrow().label(), label);
        }
        List<String> votes = labeling.votes(task.getName(), example.id()).stream().map(LabelingStore.Vote::label)
                .toList();
        Quorum.Decision d = Quorum.decide(votes, quorum, task.getLabeling()
                .getConflicts() == ConflictPolicy.ADJUDICATE ? Quorum.Policy.ADJUDICATE : Quorum.Policy.MAJORITY);
        return switch (d.state()) {
            case WAITING -> Outcome.VOTED;
            case HELD -> {
                labeling.hold(task.getName(), example.id(), true);
                yield Outcome.HELD;
            }
            // A held example waits for its admin even if later votes would make a majority.
            case DECIDED -> labeling.isHeld(task.getName(), example.id())
                    ? Outcome.HELD
                    : decide(task, example, d.label(),
                            Outcome.LABELLED, true);
        };
    }

    /** @param mayBeHeld whether the example can carry a hold to lift (only with a quorum above one, or by an admin) */
    private Outcome decide(TaskDefinitionEvent task, ExampleRecord example, String label, Outcome outcome,
            boolean mayBeHeld) {
        // Sent after it is stored: of instances labelling one example at once only the winner sends. The label
        // again (a replay, a retry) sends the stored one if a crash, here or in another instance, left it unsent.
        if (!store.labelOnce(task.getName(), example.id(), label)) {
            sender.send(List.of(), List.of(example.key()));
            return against(store.find(task.getName(), example.id()).map(ExampleRecord::label).orElse(""), label);
        }
        sender.send(List.of(example.labelled(label, System.currentTimeMillis())), List.of());
        if (mayBeHeld) {
            labeling.hold(task.getName(), example.id(), false);
        }
        return outcome;
    }

    /** The example; for a text task its label is checked first (an unknown label is refused whatever the id). */
    private ExampleRecord example(TaskDefinitionEvent task, String id, String label, List<String> tags) {
        return example(task, id, label, tags, () -> store.find(task.getName(), id));
    }

    private static ExampleRecord example(TaskDefinitionEvent task, String id, String label, List<String> tags,
            Supplier<Optional<ExampleRecord>> stored) {
        if (TaskDefinitions.writesText(task)) {
            // Its examples arrive with their completions or targets; there is nothing to label later.
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "task '" + task.getName() + "' writes "
                    + "text: its examples carry their " + (task.getType() == TaskType.SEQ2SEQ
                            ? "targets"
                            : "completions")
                    + ", and take no labels");
        }
        if (task.getType() != TaskType.TOKEN_CLASSIFICATION && tags.isEmpty() && !task.getLabelsList().contains(
                label)) {
            throw new RejectedException(ReasonCode.UNKNOWN_LABEL, "label '" + label + "' is not one of " + task
                    .getLabelsList());
        }
        return stored.get().orElseThrow(() -> new RejectedException(ReasonCode.UNKNOWN_EXAMPLE, "task '" + task
                .getName() + "' has no example '" + id + "'"));
    }

    /**
     * The label as stored: the label itself for a text task; for a token task the tags, checked against the
     * example's tokens and the task's types, joined with spaces.
     */
    private static String canonical(TaskDefinitionEvent task, ExampleRecord example, String label, List<String> tags) {
        if (task.getType() != TaskType.TOKEN_CLASSIFICATION) {
            if (!tags.isEmpty()) {
                throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "tags are for token-classification tasks; "
                        + "task '" + task.getName() + "' takes a label");
            }
            return label;
        }
        if (!label.isEmpty() || tags.isEmpty()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "task '" + task.getName() + "' tags tokens: "
                    + "give 'tags', one per token");
        }
        String problem = Bio.tagProblem(example.tokens(), tags, task.getLabelsList());
        if (problem != null) {
            throw new RejectedException(tags.size() != example.tokens().size()
                    ? ReasonCode.TOKEN_TAG_MISMATCH
                    : ReasonCode.UNKNOWN_LABEL, problem);
        }
        return String.join(" ", tags);
    }

    private static Outcome against(String stored, String label) {
        return stored.equals(label) ? Outcome.DUPLICATE : Outcome.CONFLICT;
    }
}
