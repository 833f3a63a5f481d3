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
 * the hold for adjudication, the champion's scores and the weak label (fields of the example), and the task's
 * labeling functions ({@code labeling_functions}).
 */
@ApplicationScoped
public class LabelingStore {

    public static final String VOTES = "label_votes";
    public static final String FUNCTIONS = "labeling_functions";
    public static final String WEAK_REPORTS = "weak_label_reports";

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
    public record Pending(String id, String text, long ingestedAtMs, long simhash, boolean held, Scores scores,
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

    public java.util.Set<String> votedBy(String task, String annotator) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        votes().find(Filters.and(Filters.eq("task", task), Filters.eq("annotator", annotator))).projection(Projections
                .include("exampleId")).forEach(d -> ids.add(d.getString("exampleId")));
        return ids;
    }

    public void hold(String task, String id, boolean held) {
        examples().updateOne(Filters.eq("_id", ExampleRecord.key(task, id)), Updates.set("held", held));
    }

    public boolean isHeld(String task, String id) {
        Document d = examples().find(Filters.eq("_id", ExampleRecord.key(task, id))).projection(Projections.include(
                "held")).first();
        return d != null && Boolean.TRUE.equals(d.getBoolean("held"));
    }

    /**
     * Stores the champion's scores, one bulk write for the lot. By {@code _id} alone: FerretDB answers a compound
     * filter by scanning the collection; a score on an example labelled meanwhile is never read.
     */
    public void score(String task, Map<String, Scores> scores, long now) {
        List<com.mongodb.client.model.UpdateOneModel<Document>> updates = new ArrayList<>();
        scores.forEach((id, s) -> {
            List<Double> p = new ArrayList<>();
            for (float f : s.probabilities()) {
                p.add((double) f);
            }
            updates.add(new com.mongodb.client.model.UpdateOneModel<>(Filters.eq("_id", ExampleRecord.key(task, id)),
                    Updates.set("scores", new Document("modelId", s.modelId()).append("labels", s.labels()).append(
                            "probabilities", p).append("atMs", now))));
        });
        if (!updates.isEmpty()) {
            examples().bulkWrite(updates, new com.mongodb.client.model.BulkWriteOptions().ordered(false));
        }
    }

    /** Weak labels (null: none) of many examples, one bulk write. */
    public void weakLabels(String task, Map<String, WeakLabel> weak) {
        List<com.mongodb.client.model.UpdateOneModel<Document>> updates = new ArrayList<>();
        weak.forEach((id, w) -> updates.add(new com.mongodb.client.model.UpdateOneModel<>(Filters.eq("_id",
                ExampleRecord.key(task, id)),
                w == null
                        ? Updates.unset("weak")
                        : Updates.set("weak", new Document("label", w.label()).append("confidence", w.confidence())
                                .append("model", w.model())))));
        if (!updates.isEmpty()) {
            examples().bulkWrite(updates, new com.mongodb.client.model.BulkWriteOptions().ordered(false));
        }
    }

    /** The task's examples without a label, oldest first. */
    public List<Pending> pending(String task) {
        List<Pending> out = new ArrayList<>();
        examples().find(Filters.and(Filters.eq("task", task), Filters.eq("label", ""))).projection(Projections.include(
                "exampleId", "text", "ingestedAtMs", "simhash", "held", "scores", "weak", "tokens")).batchSize(10_000)
                .forEach(
                        d -> out.add(pending(d)));
        out.sort(java.util.Comparator.comparingLong(Pending::ingestedAtMs).thenComparing(Pending::id));
        return out;
    }

    /** Text and label of every example of the task (labelled or not), for labeling functions to vote on. */
    public void forEachExample(String task, java.util.function.BiConsumer<Document, String> action) {
        examples().find(Filters.eq("task", task)).projection(Projections.include("exampleId", "text", "label"))
                .batchSize(10_000).forEach(d -> action.accept(d, d.getString("label")));
    }

    public long countLabelled(String task) {
        return examples().countDocuments(Filters.and(Filters.eq("task", task), Filters.ne("label", "")));
    }

    public void putFunction(String task, String name, Document definition) {
        Documents.put(database.getCollection(FUNCTIONS), task + "/" + name, definition.append("task", task).append(
                "name", name));
    }

    public boolean deleteFunction(String task, String name) {
        return database.getCollection(FUNCTIONS).deleteOne(Filters.eq("_id", task + "/" + name))
                .getDeletedCount() == 1;
    }

    public List<Document> functions(String task) {
        return database.getCollection(FUNCTIONS).find(Filters.eq("task", task)).sort(Sorts.ascending("name")).into(
                new ArrayList<>());
    }

    public void putWeakReport(String task, Document report) {
        Documents.put(database.getCollection(WEAK_REPORTS), task, report);
    }

    public Optional<Document> weakReport(String task) {
        return Optional.ofNullable(Documents.byId(database.getCollection(WEAK_REPORTS), task));
    }

    private static Vote vote(Document d) {
        return new Vote(d.getString("exampleId"), d.getString("annotator"), d.getString("label"), d.getLong("atMs"));
    }

    private static Pending pending(Document d) {
        Scores scores = null;
        Document s = d.get("scores", Document.class);
        if (s != null) {
            List<?> p = s.getList("probabilities", Object.class);
            float[] probs = new float[p.size()];
            for (int i = 0; i < probs.length; i++) {
                probs[i] = ((Number) p.get(i)).floatValue();
            }
            scores = new Scores(s.getString("modelId"), s.getList("labels", String.class), probs);
        }
        WeakLabel weak = null;
        Document w = d.get("weak", Document.class);
        if (w != null) {
            weak = new WeakLabel(w.getString("label"), ((Number) w.get("confidence")).doubleValue(), w.getString(
                    "model"));
        }
        Object simhash = d.get("simhash");
        Object at = d.get("ingestedAtMs");
        return new Pending(d.getString("exampleId"), d.getString("text"), at instanceof Number n ? n.longValue() : 0,
                simhash instanceof Number n ? n.longValue() : 0, Boolean.TRUE.equals(d.getBoolean("held")), scores,
                weak, d.containsKey("tokens") ? d.getList("tokens", String.class) : List.of());
    }
}
