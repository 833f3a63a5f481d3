package io.finetide.preprocessing.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;

import io.finetide.platform.store.Documents;
import io.finetide.proto.v1.Split;

@ApplicationScoped
public class PreparedExampleStore {

    public static final String DELETIONS = "deleted_examples";

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(PreparedExampleRecord.COLLECTION);
    }

    private MongoCollection<Document> deletions() {
        return database.getCollection(DELETIONS);
    }

    /** @return the keys this call stored (the others were prepared before) */
    public Set<String> insertAllOnce(List<PreparedExampleRecord> records) {
        Map<String, Document> docs = new LinkedHashMap<>();
        records.forEach(r -> docs.putIfAbsent(r.key(), r.toDocument()));
        return Documents.insertAllOnce(collection(), docs);
    }

    /**
     * The example ids of a task that are prepared or were deleted on request: read once when the task is first seen
     * (FerretDB answers an {@code _id $in} lookup by scanning the collection, so per-batch lookups slow down as the
     * data grows; see docs/BENCHMARKS.md).
     */
    public Set<String> knownIds(String task) {
        Set<String> ids = new java.util.HashSet<>();
        collection().find(Filters.eq("task", task)).projection(Projections.include("exampleId")).batchSize(10_000)
                .forEach(d -> ids.add(d.getString("exampleId")));
        deletions().find(Filters.eq("task", task)).projection(Projections.include("exampleId")).forEach(d -> ids.add(d
                .getString("exampleId")));
        return ids;
    }

    /** Stores examples believed new (see {@link #knownIds}); returns the keys this call stored. */
    public Set<String> insertNew(List<PreparedExampleRecord> records) {
        Map<String, Document> docs = new LinkedHashMap<>();
        records.forEach(r -> docs.put(r.key(), r.toDocument()));
        return Documents.insertNew(collection(), docs);
    }

    /**
     * Replaces prepared examples with a new preparation of them. Delete-then-insert per batch (FerretDB scans the
     * collection for every single-document replace); a crash in between loses at most that batch from this store,
     * and the examples remain in ingestion's store and on the labelled topic.
     */
    public void replaceAll(List<PreparedExampleRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        collection().deleteMany(Filters.in("_id", records.stream().map(PreparedExampleRecord::key).toList()));
        collection().insertMany(records.stream().map(PreparedExampleRecord::toDocument).toList());
    }

    public long countTraining(String task) {
        return collection().countDocuments(Filters.and(Filters.eq("task", task), Filters.eq("split",
                Split.TRAIN.name())));
    }

    public long countGolden(String task) {
        return collection().countDocuments(Filters.and(Filters.eq("task", task), Filters.eq("golden", true)));
    }

    public long maxSeq(String task) {
        Document d = collection().find(Filters.eq("task", task)).sort(Sorts.descending("seq"))
                .projection(Projections.include("seq")).first();
        return d == null ? 0 : PreparedExampleRecord.number(d, "seq");
    }

    /** How many examples have a sequence number above {@code seq}. */
    public long countAfter(String task, long seq) {
        return collection().countDocuments(Filters.and(Filters.eq("task", task), Filters.gt("seq", seq)));
    }

    /** How many examples each label has in each split ({@code label -> split -> count}). */
    public Map<String, Map<String, Long>> labelSplitCounts(String task) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        collection().find(Filters.eq("task", task)).projection(Projections.include("label", "split")).batchSize(
                5000).forEach(
                        d -> out.computeIfAbsent(d.getString("label"), l -> new LinkedHashMap<>()).merge(d
                                .getString("split"), 1L, Long::sum));
        return out;
    }

    /** Examples with {@code after < seq <= upTo}, in sequence order. */
    public void forEachInRange(String task, long after, long upTo, Consumer<PreparedExampleRecord> action) {
        Bson filter = Filters.and(Filters.eq("task", task), Filters.gt("seq", after), Filters.lte("seq", upTo));
        collection().find(filter).sort(Sorts.ascending("seq")).batchSize(1000).forEach(d -> action.accept(
                PreparedExampleRecord.fromDocument(d)));
    }

    public List<PreparedExampleRecord> all(String task) {
        List<PreparedExampleRecord> out = new ArrayList<>();
        forEachInRange(task, Long.MIN_VALUE, Long.MAX_VALUE, out::add);
        return out;
    }

    /** Removes a subject's examples and remembers that they were removed, so a replay cannot bring them back. */
    public long delete(String task, Collection<String> ids, String reason, long now) {
        if (ids.isEmpty()) {
            return 0;
        }
        Map<String, Document> tombstones = new LinkedHashMap<>();
        for (String id : ids) {
            tombstones.put(PreparedExampleRecord.key(task, id), new Document("task", task).append("exampleId", id)
                    .append("reason", reason).append("deletedAtMs", now));
        }
        Documents.insertAllOnce(deletions(), tombstones);
        return collection().deleteMany(Filters.in("_id", List.copyOf(tombstones.keySet()))).getDeletedCount();
    }
}
