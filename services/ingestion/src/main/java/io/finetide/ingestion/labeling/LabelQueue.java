package io.finetide.ingestion.labeling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.ingestion.store.LabelingStore;
import io.finetide.ingestion.tasks.TaskService;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.text.SimHash;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.UncertaintyMeasure;

/**
 * The labeling queue and its progress. The queue holds the task's unlabelled examples that are not held for
 * adjudication and that the asking annotator has not voted on. Examples the champion has scored come first, most
 * uncertain first (the task's measure); the rest follow first-in first-out, which is the whole order before any model
 * exists. A batch skips examples within {@code batchMinDistance} SimHash bits of one already in it.
 */
@ApplicationScoped
public class LabelQueue {

    public static final int MAX_BATCH = 100;

    /** One queue item, with the champion's guess and the weak label when there are; a pair's second text. */
    public record Item(String id, String text, String textPair, List<String> tokens, long ingestedAtMs,
            Double uncertainty,
            String predicted, String modelId, String weakLabel, Double weakConfidence, int votes) {
    }

    /** {@code pending}: open examples for this annotator; {@code scored}: how many of them the champion scored. */
    public record Batch(String task, String type, List<String> labels, List<String> tags, int quorum, String order,
            int pending, int scored, List<Item> items) {
    }

    public record PairAgreement(String a, String b, int items, Double cohenKappa) {
    }

    public record Progress(String task, int quorum, String conflicts, long labelled, int unlabelled,
            int awaitingVotes, int held, int votes, Map<String, Integer> votesByAnnotator, int agreementItems,
            int ratersPerItem, Double observedAgreement, Double fleissKappa, List<PairAgreement> pairs) {
    }

    @Inject
    TaskService tasks;

    @Inject
    LabelingStore labeling;

    public Batch next(String taskName, String annotator, int size) {
        TaskDefinitionEvent task = tasks.require(taskName);
        if (size < 1 || size > MAX_BATCH) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "size must be in [1, " + MAX_BATCH + "]");
        }
        // One read of the task's votes gives both what this annotator voted on and the votes per example.
        String who = annotator == null ? "" : annotator.strip();
        Set<String> voted = new java.util.HashSet<>();
        Map<String, Integer> votes = new HashMap<>();
        for (LabelingStore.Vote v : labeling.votes(taskName)) {
            votes.merge(v.exampleId(), 1, Integer::sum);
            if (v.annotator().equals(who)) {
                voted.add(v.exampleId());
            }
        }
        Uncertainty measure = measure(task);
        record Ranked(LabelingStore.Pending p, Double uncertainty) {
        }
        List<Ranked> open = new ArrayList<>();
        for (LabelingStore.Pending p : labeling.pending(taskName)) {
            if (!p.held() && !voted.contains(p.id())) {
                open.add(new Ranked(p, p.scores() == null ? null : measure.of(p.scores().probabilities())));
            }
        }
        // Scored first by uncertainty, then unscored oldest first (pending() is oldest first, the sort is stable).
        open.sort(Comparator.comparing((Ranked r) -> r.uncertainty() == null).thenComparing(r -> r
                .uncertainty() == null ? 0 : -r.uncertainty()));
        int minDistance = task.getLabeling().getBatchMinDistance();
        List<Item> items = new ArrayList<>();
        List<Long> taken = new ArrayList<>();
        for (Ranked r : open) {
            if (items.size() == size) {
                break;
            }
            LabelingStore.Pending p = r.p();
            if (taken.stream().anyMatch(h -> SimHash.distance(h, p.simhash()) <= minDistance)) {
                continue;
            }
            taken.add(p.simhash());
            LabelingStore.Scores s = p.scores();
            LabelingStore.WeakLabel w = p.weak();
            items.add(new Item(p.id(), p.text(), p.textPair().isEmpty() ? null : p.textPair(),
                    p.tokens().isEmpty() ? null : p.tokens(), p.ingestedAtMs(), r
                            .uncertainty(),
                    s == null ? null : predicted(s), s == null ? null : s.modelId(),
                    w == null
                            ? null
                            : w.label(),
                    w == null ? null : w.confidence(), votes.getOrDefault(p.id(), 0)));
        }
        String order = open.stream().anyMatch(r -> r.uncertainty() != null)
                ? "uncertainty:" + measure.name().toLowerCase(java.util.Locale.ROOT)
                : "fifo";
        int scored = (int) open.stream().filter(r -> r.uncertainty() != null).count();
        List<String> tags = task.getType() == io.finetide.proto.v1.TaskType.TOKEN_CLASSIFICATION
                ? io.finetide.platform.tagging.Bio.tags(task.getLabelsList())
                : null;
        int quorum = Math.max(1, task.getLabeling().getQuorum());
        return new Batch(taskName, task.getType().name(), task.getLabelsList(), tags, quorum, order, open.size(),
                scored, items);
    }

    public Progress progress(String taskName) {
        TaskDefinitionEvent task = tasks.require(taskName);
        int quorum = Math.max(1, task.getLabeling().getQuorum());
        List<LabelingStore.Pending> pending = labeling.pending(taskName);
        List<LabelingStore.Vote> votes = labeling.votes(taskName);
        Map<String, List<LabelingStore.Vote>> byExample = new LinkedHashMap<>();
        Map<String, Integer> byAnnotator = new java.util.TreeMap<>();
        for (LabelingStore.Vote v : votes) {
            byExample.computeIfAbsent(v.exampleId(), k -> new ArrayList<>()).add(v);
            byAnnotator.merge(v.annotator(), 1, Integer::sum);
        }
        int held = (int) pending.stream().filter(LabelingStore.Pending::held).count();
        int awaiting = (int) pending.stream().filter(p -> !p.held() && byExample.containsKey(p.id())).count();

        // Fleiss over the items with at least n votes, each item's first n (n = the quorum, at least 2).
        int raters = Math.max(2, quorum);
        List<Map<String, Integer>> table = new ArrayList<>();
        int agreeing = 0;
        for (List<LabelingStore.Vote> item : byExample.values()) {
            if (item.size() >= raters) {
                Map<String, Integer> counts = new HashMap<>();
                item.subList(0, raters).forEach(v -> counts.merge(v.label(), 1, Integer::sum));
                table.add(counts);
                agreeing += counts.size() == 1 ? 1 : 0;
            }
        }
        Double fleiss = table.isEmpty() ? null : finite(Agreement.fleiss(table));
        Double observed = table.isEmpty() ? null : (double) agreeing / table.size();

        List<PairAgreement> pairs = new ArrayList<>();
        List<String> annotators = new ArrayList<>(byAnnotator.keySet());
        for (int i = 0; i < annotators.size(); i++) {
            for (int j = i + 1; j < annotators.size(); j++) {
                List<String> a = new ArrayList<>();
                List<String> b = new ArrayList<>();
                for (List<LabelingStore.Vote> item : byExample.values()) {
                    String la = labelOf(item, annotators.get(i));
                    String lb = labelOf(item, annotators.get(j));
                    if (la != null && lb != null) {
                        a.add(la);
                        b.add(lb);
                    }
                }
                if (!a.isEmpty()) {
                    pairs.add(new PairAgreement(annotators.get(i), annotators.get(j), a.size(), finite(Agreement
                            .cohen(a, b))));
                }
            }
        }
        return new Progress(taskName, quorum, task.getLabeling().getConflicts().name(), labeling.countLabelled(
                taskName), pending.size(), awaiting, held, votes.size(), byAnnotator, table.size(), raters, observed,
                fleiss, pairs);
    }

    private static String labelOf(List<LabelingStore.Vote> votes, String annotator) {
        return votes.stream().filter(v -> v.annotator().equals(annotator)).map(LabelingStore.Vote::label).findFirst()
                .orElse(null);
    }

    private static String predicted(LabelingStore.Scores s) {
        int best = 0;
        for (int i = 1; i < s.probabilities().length; i++) {
            if (s.probabilities()[i] > s.probabilities()[best]) {
                best = i;
            }
        }
        return best < s.labels().size() ? s.labels().get(best) : null;
    }

    static Uncertainty measure(TaskDefinitionEvent task) {
        UncertaintyMeasure m = task.getLabeling().getUncertainty();
        return m == UncertaintyMeasure.UNCERTAINTY_MEASURE_UNSPECIFIED || m == UncertaintyMeasure.UNRECOGNIZED
                ? Uncertainty.ENTROPY
                : Uncertainty.valueOf(m.name());
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }

}
