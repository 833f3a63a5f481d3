package io.finetide.ingestion.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import io.finetide.platform.store.Documents;

/**
 * What people and rules add to examples: annotators' votes ({@code label_votes}, one per example and annotator),
 * the hold for adjudication (a field of the example), the champion's scores ({@code example_scores}), weak labels
 * ({@code weak_labels}), and the task's
 * labeling functions ({@code labeling_functions}).
 */
@ApplicationScoped
public class LabelingStore {

    public static final String VOTES = "label_votes";
    public static final String FUNCTIONS = "labeling_functions";
    public static final String WEAK_REPORTS = "weak_label_reports";
    public static final String SCORES = "example_scores";
    public static final String WEAK_LABELS = "weak_labels";

    /** A vote of one annotator. */
    public record Vote(String exampleId, String annotator, String label, long atMs) {
    }

    /** The champion's distribution for an example. */
    public record Scores(String modelId, List<String> labels, float[] probabilities) {
    }

    /** A weak label: never in the {@code label} field, which only people and producers fill. */
    public record WeakLabel(String label, double confidence, String model) {
    }

    /** An example still without a label, with what the queue ranks it by. */
    public record Pending(String id, String text, String textPair, long ingestedAtMs, long simhash, boolean held,
            Scores scores,
            WeakLabel weak, List<String> tokens) {
    }

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> examples() {
        return database.getCollection(ExampleRecord.COLLECTION);
    }

    private MongoCollection<Document> votes() {
        return database.getCollection(VOTES);
    }

    /** @return false when this annotator had voted on the example already (the first vote stays) */
    public boolean voteOnce(String task, Vote vote) {
        return Documents.insertOnce(votes(), task + "/" + vote.exampleId() + "/" + vote.annotator(), new Document(
                "task", task).append("exampleId", vote.exampleId()).append("annotator", vote.annotator()).append(
                        "label", vote.label())
                .append("atMs", vote.atMs()));
    }

    public Optional<Vote> vote(String task, String id, String annotator) {
        return Optional.ofNullable(Documents.byId(votes(), task + "/" + id + "/" + annotator)).map(
                LabelingStore::vote);
    }

    /** The example's votes, oldest first. */
    public List<Vote> votes(String task, String id) {
        return votes().find(Filters.and(Filters.eq("task", task), Filters.eq("exampleId", id))).sort(Sorts.ascending(
                "atMs")).map(LabelingStore::vote).into(new ArrayList<>());
    }

    /** Every vote of the task, oldest first. */
    public List<Vote> votes(String task) {
        return votes().find(Filters.eq("task", task)).sort(Sorts.ascending("atMs")).map(LabelingStore::vote).into(
                new ArrayList<>());
    }

    public void hold(String task, String id, boolean held) {
        examples().updateOne(Filters.eq("_id", ExampleRecord.key(task, id)), Updates.set("held", held));
    }

    public boolean isHeld(String task, String id) {
        Document d = examples().find(Filters.eq("_id", ExampleRecord.key(task, id))).projection(Projections.include(
                "held")).first();
        return d != null && Boolean.TRUE.equals(d.getBoolean("held"));
    }

    private MongoCollection<Document> scores() {
        return database.getCollection(SCORES);
    }

    private MongoCollection<Document> weak() {
        return database.getCollection(WEAK_LABELS);
    }

    /**
     * Stores the champion's scores in their own collection, one document per example and model, written with one
     * insert of the lot: on FerretDB an update by {@code _id} in the large examples collection took 40-80 ms each (a
     * few hundred of them held its single writer for longer than the queue's readers would wait), an insert of
     * small documents takes well under a millisecond each. The same example scored again by the same model changes
     * nothing; by a newer model, the queue reads the newest.
     */
    public void score(String task, Map<String, Scores> scores, long now) {
        Map<String, Document> docs = new java.util.LinkedHashMap<>();
        scores.forEach((id, s) -> {
            List<Double> p = new ArrayList<>();
            for (float f : s.probabilities()) {
                p.add((double) f);
            }
            docs.put(task + "/" + id + "/" + s.modelId(), new Document("task", task).append("exampleId", id).append(
                    "modelId", s.modelId()).append("labels", s.labels()).append("probabilities", p).append("atMs",
                            now));
        });
        Documents.insertNew(scores(), docs);
    }

    /** Forgets scores of other models than {@code modelId}: a promotion makes them stale. */
    public void dropScoresExcept(String task, String modelId) {
        scores().deleteMany(Filters.and(Filters.eq("task", task), Filters.ne("modelId", modelId)));
    }

    /**
     * Replaces the task's weak labels with these (a run recomputes all of them): one delete, one insert, in a
     * collection of their own for the same reason as {@link #score}.
     */
    public void weakLabels(String task, Map<String, WeakLabel> labels) {
        weak().deleteMany(Filters.eq("task", task));
        Map<String, Document> docs = new java.util.LinkedHashMap<>();
        labels.forEach((id, w) -> {
            if (w != null) {
                docs.put(task + "/" + id, new Document("task", task).append("exampleId", id).append("label", w
                        .label()).append("confidence", w.confidence()).append("model", w.model()));
            }
        });
        Documents.insertNew(weak(), docs);
    }

    /** The task's examples without a label, oldest first, with their newest scores and their weak label. */
    public List<Pending> pending(String task) {
        Map<String, Scores> newest = new java.util.HashMap<>();
        Map<String, Long> newestAt = new java.util.HashMap<>();
        scores().find(Filters.eq("task", task)).batchSize(10_000).forEach(d -> {
            String id = d.getString("exampleId");
            long at = d.getLong("atMs");
            if (at >= newestAt.getOrDefault(id, Long.MIN_VALUE)) {
                newestAt.put(id, at);
                newest.put(id, scores(d));
            }
        });
        Map<String, WeakLabel> weakLabels = new java.util.HashMap<>();
        weak().find(Filters.eq("task", task)).batchSize(10_000).forEach(d -> weakLabels.put(d.getString("exampleId"),
                new WeakLabel(d.getString("label"), ((Number) d.get("confidence")).doubleValue(), d.getString(
                        "model"))));
        List<Pending> out = new ArrayList<>();
        examples().find(Filters.and(Filters.eq("task", task), Filters.eq("label", ""))).projection(Projections.include(
                "exampleId", "text", "textPair", "ingestedAtMs", "simhash", "held", "tokens")).batchSize(10_000)
                .forEach(d -> {
                    String id = d.getString("exampleId");
                    Object simhash = d.get("simhash");
                    Object at = d.get("ingestedAtMs");
                    out.add(new Pending(id, d.getString("text"), d.get("textPair", ""),
                            at instanceof Number n ? n.longValue() : 0,
                            simhash instanceof Number n ? n.longValue() : 0, Boolean.TRUE.equals(d.getBoolean(
                                    "held")),
                            newest.get(id), weakLabels.get(id), d.containsKey("tokens")
                                    ? d.getList("tokens", String.class)
                                    : List.of()));
                });
        out.sort(java.util.Comparator.comparingLong(Pending::ingestedAtMs).thenComparing(Pending::id));
        return out;
    }

    /** An example as labeling functions see it; the label is empty while people have not given one. */
    public record LabelledText(String exampleId, String text, String label) {
    }

    /** Text and label of every example of the task (labelled or not), for labeling functions to vote on. */
    public void forEachExample(String task, java.util.function.Consumer<LabelledText> action) {
        examples().find(Filters.eq("task", task)).projection(Projections.include("exampleId", "text", "label"))
                .batchSize(10_000).forEach(d -> action.accept(new LabelledText(d.getString("exampleId"), d.getString(
                        "text"), d.getString("label"))));
    }

    /** Examples of the task still without a label (held ones included): the labeling queue's length. */
    public long countUnlabelled(String task) {
        return examples().countDocuments(Filters.and(Filters.eq("task", task), Filters.eq("label", "")));
    }

    public long countLabelled(String task) {
        return examples().countDocuments(Filters.and(Filters.eq("task", task), Filters.ne("label", "")));
    }

    public void putFunction(String task, LabelingFunctionRecord function) {
        Documents.put(database.getCollection(FUNCTIONS), task + "/" + function.name(), function.toDocument(task));
    }

    public boolean deleteFunction(String task, String name) {
        return database.getCollection(FUNCTIONS).deleteOne(Filters.eq("_id", task + "/" + name))
                .getDeletedCount() == 1;
    }

    public List<LabelingFunctionRecord> functions(String task) {
        List<LabelingFunctionRecord> out = new ArrayList<>();
        database.getCollection(FUNCTIONS).find(Filters.eq("task", task)).sort(Sorts.ascending("name")).forEach(
                d -> out.add(LabelingFunctionRecord.of(d)));
        return out;
    }

    public void putWeakReport(WeakLabelReportRecord report) {
        Documents.put(database.getCollection(WEAK_REPORTS), report.task(), report.toDocument());
    }

    public Optional<WeakLabelReportRecord> weakReport(String task) {
        return Optional.ofNullable(Documents.byId(database.getCollection(WEAK_REPORTS), task)).map(
                WeakLabelReportRecord::of);
    }

    private static Vote vote(Document d) {
        return new Vote(d.getString("exampleId"), d.getString("annotator"), d.getString("label"), d.getLong("atMs"));
    }

    private static Scores scores(Document s) {
        List<?> p = s.getList("probabilities", Object.class);
        float[] probs = new float[p.size()];
        for (int i = 0; i < probs.length; i++) {
            probs[i] = ((Number) p.get(i)).floatValue();
        }
        return new Scores(s.getString("modelId"), s.getList("labels", String.class), probs);
    }
}
