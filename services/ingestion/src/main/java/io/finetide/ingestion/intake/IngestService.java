package io.finetide.ingestion.intake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.ingestion.labeling.ActiveLearning;
import io.finetide.ingestion.messaging.LabelledSender;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.ingestion.privacy.PiiRedactor;
import io.finetide.ingestion.store.ExampleRecord;
import io.finetide.ingestion.store.ExampleStore;
import io.finetide.ingestion.tasks.TaskService;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.privacy.PiiType;
import io.finetide.platform.tagging.Bio;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.text.SimHash;
import io.finetide.proto.v1.RawExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;

/**
 * Validates examples against their task, redacts personal data when the task asks for it, de-duplicates (same id,
 * same normalised text, near-duplicate text), stores each once, and emits each new labelled one downstream. Works on
 * batches: all sends awaited together, one insert of the new ones.
 *
 * <p>
 * New examples are sent downstream after they are stored, by {@link LabelledSender}: of instances racing on one id
 * only the winner sends, and an example a crash left stored but unsent is sent when its id comes again.
 */
@ApplicationScoped
public class IngestService {

    public enum Outcome {
        STORED, DUPLICATE, REJECTED
    }

    /** An example and where it came from ("finetide.examples.raw/0@42", "rest"). */
    public record Submission(RawExampleEvent raw, String source) {
    }

    /**
     * Per submission, in order: what happened, why when rejected, and for a duplicate its kind ({@code id},
     * {@code content}, {@code near}) and the stored example it duplicates.
     */
    public record Result(Outcome outcome, RejectedException rejection, String duplicateKind, String duplicateOf) {

        static Result stored() {
            return new Result(Outcome.STORED, null, null, null);
        }

        static Result rejected(RejectedException e) {
            return new Result(Outcome.REJECTED, e, null, null);
        }

        static Result duplicate(String kind, String of) {
            return new Result(Outcome.DUPLICATE, null, kind, of);
        }
    }

    /** What de-duplication knows of a task, loaded from the store when the task is first seen. */
    private static final class Seen {
        final Set<String> ids;
        final Map<String, String> contentHashes;
        final Map<Long, String> simhashes;
        /** Keys known to have gone downstream, so that a duplicate of one needs no look-up. */
        final Set<String> sent = ConcurrentHashMap.newKeySet();
        SimHash.Index near;
        int nearDistance;

        Seen(ExampleStore.Fingerprints f) {
            this.ids = f.ids();
            this.contentHashes = f.contentHashes();
            this.simhashes = f.simhashes();
            this.sent.addAll(f.sent());
        }

        /** The near-duplicate index for the task's current distance, rebuilt when the task changes it. */
        SimHash.Index near(int distance) {
            if (distance != nearDistance) {
                nearDistance = distance;
                near = distance == 0 ? null : new SimHash.Index(distance);
                if (near != null) {
                    simhashes.forEach(near::add);
                }
            }
            return near;
        }
    }

    @Inject
    TaskService tasks;

    @Inject
    ExampleStore store;

    @Inject
    LabelledSender sender;

    @Inject
    IngestionMetrics metrics;

    @Inject
    ActiveLearning activeLearning;

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Map<String, PiiRedactor> redactors = new ConcurrentHashMap<>();

    /**
     * Ingests a batch. Synchronised: the raw-topic consumer and REST requests share the de-duplication state, and
     * an example must be checked and recorded as one step.
     */
    public synchronized List<Result> ingestAll(List<Submission> submissions) {
        Result[] results = new Result[submissions.size()];
        String[] taskOf = new String[submissions.size()];
        Map<String, ExampleRecord> candidates = new LinkedHashMap<>();
        List<Integer> candidateIndex = new ArrayList<>();
        Map<String, String> batchHashes = new HashMap<>();
        // Stored examples whose id came again: sent now if a crash left them unsent.
        Set<String> seenAgain = new LinkedHashSet<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < submissions.size(); i++) {
            Submission s = submissions.get(i);
            try {
                RawExampleEvent raw = s.raw();
                TaskDefinitionEvent task = tasks.require(raw.getTask());
                taskOf[i] = task.getName();
                validate(raw, task);
                Seen known = seen(task.getName());
                String key = ExampleRecord.key(task.getName(), raw.getId());
                if (known.ids.contains(raw.getId()) || candidates.containsKey(key)) {
                    results[i] = Result.duplicate("id", raw.getId());
                    if (!candidates.containsKey(key) && !known.sent.contains(key)) {
                        seenAgain.add(key);
                    }
                    continue;
                }
                ExampleRecord record = record(task, raw, s.source(), now);
                String sameText = known.contentHashes.getOrDefault(record.contentHash(), batchHashes.get(record
                        .contentHash()));
                if (sameText != null && !task.getDedup().getKeepExactDuplicates()) {
                    results[i] = Result.duplicate("content", sameText);
                    continue;
                }
                SimHash.Index near = known.near(task.getDedup().getNearDuplicateMaxDistance());
                String similar = near == null ? null : near.nearest(record.simhash());
                if (similar != null && sameText == null) {
                    results[i] = Result.duplicate("near", similar);
                    continue;
                }
                // Recorded now, so that a duplicate later in the same batch is caught too.
                batchHashes.putIfAbsent(record.contentHash(), record.id());
                if (near != null) {
                    near.add(record.simhash(), record.id());
                }
                candidates.put(record.key(), record);
                candidateIndex.add(i);
            } catch (RejectedException e) {
                results[i] = Result.rejected(e);
            }
        }

        List<ExampleRecord> fresh = List.copyOf(candidates.values());
        Set<String> inserted = store.insertNew(fresh);
        fresh.stream().filter(c -> !inserted.contains(c.key())).forEach(c -> seenAgain.add(c.key()));
        // Unlabelled examples wait in the store for a label; only labelled ones go downstream.
        LabelledSender.Sent sent = sender.send(fresh.stream().filter(c -> !c.label().isEmpty() && inserted.contains(c
                .key())).toList(), seenAgain);
        sent.keys().forEach(k -> seen(ExampleRecord.taskOf(k)).sent.add(k));

        int k = 0;
        for (ExampleRecord candidate : fresh) {
            boolean isNew = inserted.contains(candidate.key());
            // Not inserted: another writer stored that id after this service read the task's ids.
            results[candidateIndex.get(k++)] = isNew ? Result.stored() : Result.duplicate("id", candidate.id());
            Seen known = seen(candidate.task());
            known.ids.add(candidate.id());
            if (isNew) {
                known.contentHashes.putIfAbsent(candidate.contentHash(), candidate.id());
                known.simhashes.putIfAbsent(candidate.simhash(), candidate.id());
                candidate.redactions().forEach((type, n) -> metrics.redacted(candidate.task(), type, n));
            }
        }
        for (int i = 0; i < results.length; i++) {
            switch (results[i].outcome()) {
                case STORED -> metrics.stored(taskOf[i]);
                case DUPLICATE -> metrics.duplicate(taskOf[i], results[i].duplicateKind());
                default -> {
                }
            }
        }
        Map<String, Map<String, String>> toScore = new LinkedHashMap<>();
        for (ExampleRecord c : fresh) {
            // Only single texts are scored: token-classification and text-pair examples have no scorer yet.
            if (c.label().isEmpty() && !c.isTokenExample() && c.textPair().isEmpty() && inserted.contains(c.key())) {
                toScore.computeIfAbsent(c.task(), t -> new LinkedHashMap<>()).put(c.id(), c.text());
            }
        }
        toScore.forEach(activeLearning::requestScores);
        return List.of(results);
    }

    /** A deleted example's id stays known: a replay must not bring it back. */
    public synchronized void forget(String task, List<String> ids) {
        seen(task).ids.addAll(ids);
    }

    private Seen seen(String task) {
        return seen.computeIfAbsent(task, t -> new Seen(store.fingerprints(t)));
    }

    private ExampleRecord record(TaskDefinitionEvent task, RawExampleEvent raw, String source, long now) {
        boolean tokenTask = task.getType() == TaskType.TOKEN_CLASSIFICATION;
        boolean generation = TaskDefinitions.writesText(task);
        List<String> tokens = tokenTask ? raw.getTokensList() : List.of();
        String text = tokenTask
                ? String.join(" ", tokens)
                : generation ? GenerationExamples.source(raw, task) : raw.getText();
        String textPair = raw.getTextPair();
        // A generation example's completion (a sequence-to-sequence example's target) is what the model is to
        // write: it is stored, and travels, as its label.
        String completion = generation ? GenerationExamples.target(raw, task) : "";
        Map<String, Integer> redactions = Map.of();
        if (task.getPrivacy().getRedactPii()) {
            PiiRedactor redactor = redactors.computeIfAbsent(task.getName() + "#" + task.getRevision(),
                    k -> PiiRedactor.of(task.getPrivacy().getPiiTypesList().stream().map(PiiType::parse)
                            .toList()));
            Map<PiiType, Integer> found;
            if (tokenTask) {
                PiiRedactor.TokenResult r = redactor.redactTokens(tokens);
                tokens = r.tokens();
                text = String.join(" ", tokens);
                found = r.counts();
            } else {
                PiiRedactor.Result r = redactor.redact(text);
                text = r.text();
                Map<PiiType, Integer> all = new java.util.EnumMap<>(PiiType.class);
                all.putAll(r.counts());
                found = all;
                if (!textPair.isEmpty()) {
                    PiiRedactor.Result second = redactor.redact(textPair);
                    textPair = second.text();
                    second.counts().forEach((type, n) -> all.merge(type, n, Integer::sum));
                }
                if (!completion.isEmpty()) {
                    PiiRedactor.Result target = redactor.redact(completion);
                    completion = target.text();
                    target.counts().forEach((type, n) -> all.merge(type, n, Integer::sum));
                }
            }
            Map<String, Integer> counts = new LinkedHashMap<>();
            found.forEach((type, n) -> counts.put(type.name().toLowerCase(java.util.Locale.ROOT), n));
            redactions = counts;
        }
        String label = tokenTask ? String.join(" ", raw.getTagsList()) : generation ? completion : raw.getLabel();
        // A pair, and a prompt with its completion, are one example: the same prompt with another completion is
        // another reference, not a duplicate.
        String second = generation ? completion : textPair;
        String contentHash = second.isEmpty() ? SimHash.contentHash(text) : SimHash.pairContentHash(text, second);
        long simhash = SimHash.of(second.isEmpty() ? text : text + " " + second);
        return new ExampleRecord(task.getName(), raw.getId(), text, textPair, label, raw.getMetadataMap(), contentHash,
                simhash, redactions, source, now, tokens);
    }

    static void validate(RawExampleEvent raw, TaskDefinitionEvent task) {
        if (task.getType() == TaskType.TOKEN_CLASSIFICATION) {
            validateTokens(raw, task);
            return;
        }
        if (TaskDefinitions.writesText(task)) {
            GenerationExamples.validate(raw, task);
            return;
        }
        if (!raw.getPrompt().isEmpty() || !raw.getCompletion().isEmpty()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "prompt and completion are for "
                    + "text-generation tasks; task '" + task.getName() + "' is " + task.getType());
        }
        if (!raw.getInput().isEmpty() || !raw.getTarget().isEmpty()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "input and target are for "
                    + "sequence-to-sequence tasks; task '" + task.getName() + "' is " + task.getType());
        }
        boolean pairTask = task.getType() == TaskType.TEXT_PAIR_CLASSIFICATION;
        if (raw.getTokensCount() > 0 || raw.getTagsCount() > 0) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "tokens and tags are for token-classification "
                    + "tasks; task '" + task.getName() + "' classifies " + (pairTask ? "pairs of texts" : "texts"));
        }
        if (!pairTask && !raw.getTextPair().isEmpty()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "textPair is for text-pair classification "
                    + "tasks; task '" + task.getName() + "' classifies single texts");
        }
        if (raw.getText().isBlank()) {
            throw new RejectedException(ReasonCode.EMPTY_TEXT, "text is empty");
        }
        checkBytes(raw.getText(), task);
        if (pairTask) {
            if (raw.getTextPair().isEmpty()) {
                throw new RejectedException(ReasonCode.MISSING_FIELD, "task '" + task.getName() + "' classifies pairs "
                        + "of texts: give 'textPair' with 'text'");
            }
            if (raw.getTextPair().isBlank()) {
                throw new RejectedException(ReasonCode.EMPTY_TEXT, "textPair is empty");
            }
            checkBytes(raw.getTextPair(), task);
        }
        if (!raw.getLabel().isEmpty() && !task.getLabelsList().contains(raw.getLabel())) {
            throw new RejectedException(ReasonCode.UNKNOWN_LABEL,
                    "label '" + raw.getLabel() + "' is not one of " + task.getLabelsList());
        }
    }

    private static void validateTokens(RawExampleEvent raw, TaskDefinitionEvent task) {
        if (!raw.getLabel().isEmpty()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "task '" + task.getName() + "' tags tokens: "
                    + "give 'tags', one per token, not 'label'");
        }
        if (raw.getTokensCount() == 0) {
            throw new RejectedException(raw.getText().isBlank() ? ReasonCode.EMPTY_TEXT : ReasonCode.MISSING_FIELD,
                    "task '" + task.getName() + "' needs 'tokens'");
        }
        for (int i = 0; i < raw.getTokensCount(); i++) {
            String t = raw.getTokens(i);
            if (t.isBlank() || t.chars().anyMatch(Character::isWhitespace)) {
                throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "token " + i + " is blank or contains "
                        + "whitespace");
            }
        }
        checkBytes(String.join(" ", raw.getTokensList()), task);
        if (raw.getTagsCount() > 0) {
            String problem = Bio.tagProblem(raw.getTokensList(), raw.getTagsList(), task.getLabelsList());
            if (problem != null) {
                throw new RejectedException(raw.getTagsCount() != raw.getTokensCount()
                        ? ReasonCode.TOKEN_TAG_MISMATCH
                        : ReasonCode.UNKNOWN_LABEL, problem);
            }
        }
    }

    static void checkBytes(String text, TaskDefinitionEvent task) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > task.getMaxTextBytes()) {
            throw new RejectedException(ReasonCode.TEXT_TOO_LONG,
                    "text is " + bytes + " bytes, the task allows " + task.getMaxTextBytes());
        }
    }
}
