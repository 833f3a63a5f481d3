package io.finetide.preprocessing.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

/**
 * Snapshot requests an instance received for a task another instance prepares, waiting for that one to take them.
 * Each request is a document of its own, written once by the instance that received it and deleted by the one that
 * takes it: no document has two writers (docs/RELIABILITY.md, FerretDB).
 */
@ApplicationScoped
public class SnapshotRequestStore {

    static final String COLLECTION = "snapshot_requests";

    /** A request waiting for the task's owner: who asked, in the words of the trigger's reason. */
    public record SnapshotRequest(String id, String task, String reason, long atMs) {
    }

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(COLLECTION);
    }

    public void add(String task, String reason, long now) {
        collection().insertOne(new Document("_id", UUID.randomUUID().toString()).append("task", task).append("reason",
                reason).append("atMs", now));
    }

    public List<SnapshotRequest> waiting(String task) {
        List<SnapshotRequest> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).sort(Sorts.ascending("atMs")).forEach(d -> out.add(
                new SnapshotRequest(d.getString("_id"), task, d.getString("reason"), d.getLong("atMs"))));
        return out;
    }

    /** Every waiting request, by task, oldest first. */
    public Map<String, List<SnapshotRequest>> waitingByTask() {
        Map<String, List<SnapshotRequest>> out = new HashMap<>();
        collection().find().sort(Sorts.ascending("atMs")).forEach(d -> out.computeIfAbsent(d.getString("task"),
                t -> new ArrayList<>()).add(
                        new SnapshotRequest(d.getString("_id"), d.getString("task"), d.getString(
                                "reason"), d.getLong("atMs"))));
        return out;
    }

    /** Removes a request its task's owner has taken. */
    public void taken(SnapshotRequest r) {
        collection().deleteOne(Filters.eq("_id", r.id()));
    }
}
