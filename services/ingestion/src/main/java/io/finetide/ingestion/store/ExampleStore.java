package io.finetide.ingestion.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;

import io.finetide.platform.store.Documents;

@ApplicationScoped
public class ExampleStore {

    public static final String DELETIONS = "deleted_examples";
    public static final String LABEL_HISTORY = "label_history";
    /** Which label won each example, claimed once by {@code _id}: see {@link #labelOnce}. */
    public static final String LABEL_CLAIMS = "label_claims";
    /** Which labelled examples have gone downstream, by {@code _id}: see {@link #sendCheck}. */
    public static final String SENT = "sent_examples";

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(ExampleRecord.COLLECTION);
    }

    /** @return true when this call stored the example, false when its id was already there */
    public boolean insertOnce(ExampleRecord example) {
        return Documents.insertOnce(collection(), example.key(), example.toDocument());
    }

    private MongoCollection<Document> deletions() {
        return database.getCollection(DELETIONS);
    }

    /** What de-duplication needs of a task's stored and deleted examples, read once when the task is first seen. */
    public record Fingerprints(Set<String> ids, Map<String, String> contentHashes, Map<Long, String> simhashes,
            Set<String> sent) {
    }

    /**
     * Ids, content hashes and SimHashes of the task's examples (ids of deleted ones too). FerretDB answers an
     * {@code _id $in} lookup by scanning the collection, so per-batch lookups slow down as data grows; one read per
     * task at first sight does not.
     */
    public Fingerprints fingerprints(String task) {
        Fingerprints f = new Fingerprints(new java.util.HashSet<>(), new java.util.HashMap<>(),
                new java.util.HashMap<>(), new java.util.HashSet<>());
        collection().find(Filters.eq("task", task)).projection(Projections.include("exampleId", "contentHash",
                "simhash")).batchSize(10_000).forEach(d -> {
                    String id = d.getString("exampleId");
                    f.ids().add(id);
                    if (d.getString("contentHash") != null) {
                        f.contentHashes().putIfAbsent(d.getString("contentHash"), id);
                    }
                    if (d.get("simhash") instanceof Number n) {
                        f.simhashes().putIfAbsent(n.longValue(), id);
                    }
                });
        deletions().find(Filters.eq("task", task)).projection(Projections.include("exampleId")).forEach(d -> f.ids()
                .add(d.getString("exampleId")));
        // Which went downstream: without them every duplicate id after a restart was two look-ups by id, and FerretDB
        // answers one by scanning the collection (a second each at 70,000 examples; the fault campaign crawled).
        database.getCollection(SENT).find(Filters.regex("_id", "^" + java.util.regex.Pattern.quote(task + "/")))
                .projection(Projections.include("_id")).batchSize(10_000).forEach(d -> f.sent().add(d.getString(
                        "_id")));
        return f;
    }

    /** The examples of these keys ({@link ExampleRecord#key}) that are stored, by key: one read, whatever their number. */
    public Map<String, ExampleRecord> findAll(Collection<String> keys) {
        Map<String, ExampleRecord> out = new java.util.HashMap<>();
        if (!keys.isEmpty()) {
            collection().find(Filters.in("_id", List.copyOf(new java.util.LinkedHashSet<>(keys)))).forEach(d -> {
                ExampleRecord r = ExampleRecord.fromDocument(d);
                out.put(r.key(), r);
            });
        }
        return out;
    }

    public java.util.Optional<ExampleRecord> find(String task, String id) {
        return java.util.Optional.ofNullable(collection().find(Filters.eq("_id", ExampleRecord.key(task, id))).first())
                .map(ExampleRecord::fromDocument);
    }

    /**
     * Gives an unlabelled example its label; false when it had one already (the stored label stays). Atomic across
     * instances: the label is first claimed by inserting {@code <task>/<id>} into {@value #LABEL_CLAIMS} (a write by
     * {@code _id}, unique in any MongoDB), and only the claim's winner writes it on the example. A claim whose label
     * is not on the example yet (a crash came in between) is completed by the next call with the same label. (A
     * compound filter such as {@code {_id, label: ""}} would be atomic too, but FerretDB scans the whole collection
     * for it: 190 ms at 7,000 examples against 2-5 ms.)
     */
    public boolean labelOnce(String task, String id, String label) {
        String key = ExampleRecord.key(task, id);
        Document d = collection().find(Filters.eq("_id", key)).projection(Projections.include("label")).first();
        if (d == null || !"".equals(d.getString("label"))) {
            return false;
        }
        MongoCollection<Document> claims = database.getCollection(LABEL_CLAIMS);
        if (!Documents.insertOnce(claims, key, new Document("label", label))) {
            Document claim = Documents.byId(claims, key);
            if (claim == null || !label.equals(claim.getString("label"))) {
                return false;
            }
        }
        collection().updateOne(Filters.eq("_id", key), com.mongodb.client.model.Updates.set("label", label));
        return true;
    }

    /** Every label given to an example, in order: who, what, when, and what became of it. */
    public void recordLabel(String task, String id, String label, String annotator, String outcome, long now) {
        database.getCollection(LABEL_HISTORY).insertOne(new Document("task", task).append("exampleId", id).append(
                "label", label).append("annotator", annotator).append("outcome", outcome).append("atMs", now));
    }

    public List<LabelHistoryRecord> labelHistory(String task, String id) {
        List<LabelHistoryRecord> out = new ArrayList<>();
        database.getCollection(LABEL_HISTORY).find(Filters.and(Filters.eq("task", task), Filters.eq("exampleId", id)))
                .sort(com.mongodb.client.model.Sorts.ascending("atMs")).forEach(d -> out.add(new LabelHistoryRecord(d
                        .getString("label"), d.getString("annotator"), d.getString("outcome"),
                        ((Number) d.get(
                                "atMs")).longValue())));
        return out;
    }

    /** Ids of the task's stored examples with {@code metadata[key] == value}. */
    public List<String> idsByMetadata(String task, String key, String value) {
        List<String> ids = new ArrayList<>();
        collection().find(Filters.and(Filters.eq("task", task), Filters.eq("metadata." + key, value))).projection(
                Projections.include("exampleId")).forEach(d -> ids.add(d.getString("exampleId")));
        return ids;
    }

    /**
     * Deletes the task's examples with these ids and records each deletion (id, reason, time; never the text).
     *
     * @return the ids that were stored and are now deleted
     */
    public List<String> delete(String task, Collection<String> ids, String reason, long now) {
        Map<String, String> keys = new LinkedHashMap<>();
        ids.forEach(id -> keys.put(ExampleRecord.key(task, id), id));
        Set<String> stored = Documents.existingIds(collection(), keys.keySet());
        Map<String, Document> tombstones = new LinkedHashMap<>();
        for (String key : stored) {
            tombstones.put(key, new Document("task", task).append("exampleId", keys.get(key)).append("reason", reason)
                    .append("deletedAtMs", now));
        }
        // The tombstone first: a crash in between leaves a deleted id whose text a retry removes.
        Documents.insertAllOnce(deletions(), tombstones);
        if (!stored.isEmpty()) {
            collection().deleteMany(Filters.in("_id", List.copyOf(stored)));
        }
        return keys.entrySet().stream().filter(e -> stored.contains(e.getKey())).map(Map.Entry::getValue).toList();
    }

    /** @return the keys this call stored (one that a concurrent writer stored first is left out) */
    public Set<String> insertNew(List<ExampleRecord> examples) {
        Map<String, Document> docs = new LinkedHashMap<>();
        examples.forEach(e -> docs.putIfAbsent(e.key(), e.toDocument()));
        return Documents.insertNew(collection(), docs);
    }

    /**
     * What a check of stored examples found: the labelled ones with no record of having been sent downstream (a
     * crash came between storing and sending, here or in another instance), and the keys recorded as sent.
     */
    public record SendCheck(List<ExampleRecord> unsent, Set<String> sent) {
    }

    /**
     * Looks the keys up in two reads whatever their number (the sent ones by key when few,
     * {@link Documents#ONE_BY_ONE}): on MongoDB index look-ups, on FerretDB 1.24 a pass over each collection. Called
     * for duplicates by id not known to have been sent: few, outside a replay.
     */
    public SendCheck sendCheck(Collection<String> keys) {
        List<String> wanted = List.copyOf(new java.util.LinkedHashSet<>(keys));
        Set<String> sent = Documents.existingIds(database.getCollection(SENT), wanted);
        List<String> open = wanted.stream().filter(k -> !sent.contains(k)).toList();
        List<ExampleRecord> unsent = new ArrayList<>();
        if (!open.isEmpty()) {
            collection().find(Filters.and(Filters.in("_id", open), Filters.ne("label", ""))).forEach(d -> unsent.add(
                    ExampleRecord.fromDocument(d)));
        }
        return new SendCheck(unsent, sent);
    }

    /** Records that these examples went downstream (after the broker acknowledged them). */
    public void recordSent(Collection<String> keys, long now) {
        Map<String, Document> docs = new LinkedHashMap<>();
        keys.forEach(k -> docs.put(k, new Document("sentAtMs", now)));
        Documents.insertNew(database.getCollection(SENT), docs);
    }
}
