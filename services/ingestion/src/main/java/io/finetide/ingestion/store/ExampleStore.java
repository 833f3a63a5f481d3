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

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(ExampleRecord.COLLECTION);
    }

    /** @return true when this call stored the example, false when its id was already there */
    public boolean insertOnce(ExampleRecord example) {
        return Documents.insertOnce(collection(), example.key(), example.toDocument());
    }

    /**
     * The keys among {@code keys} that are stored already or were deleted on request (a replayed record must not
     * bring a deleted subject's text back).
     */
    public Set<String> existing(Collection<String> keys) {
        Set<String> known = Documents.existingIds(collection(), keys);
        known.addAll(Documents.existingIds(deletions(), keys));
        return known;
    }

    private MongoCollection<Document> deletions() {
        return database.getCollection(DELETIONS);
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

}
