package io.finetide.preprocessing.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import io.finetide.platform.store.Documents;

@ApplicationScoped
public class SnapshotStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(DatasetSnapshotRecord.COLLECTION);
    }

    public boolean insertOnce(DatasetSnapshotRecord r) {
        return Documents.insertOnce(collection(), r.id(), r.toDocument());
    }

    public Optional<DatasetSnapshotRecord> latest(String task) {
        return Optional.ofNullable(collection().find(Filters.eq("task", task)).sort(Sorts.descending("version"))
                .first()).map(DatasetSnapshotRecord::fromDocument);
    }

    public Optional<DatasetSnapshotRecord> find(String id) {
        return Optional.ofNullable(collection().find(Filters.eq("_id", id)).first()).map(
                DatasetSnapshotRecord::fromDocument);
    }

    public List<DatasetSnapshotRecord> all(String task) {
        List<DatasetSnapshotRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).sort(Sorts.ascending("version"))
                .forEach(d -> out.add(DatasetSnapshotRecord.fromDocument(d)));
        return out;
    }

    /** The task's newest {@code limit} snapshots, newest first. */
    public List<DatasetSnapshotRecord> newest(String task, int limit) {
        List<DatasetSnapshotRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).sort(Sorts.descending("version")).limit(limit)
                .forEach(d -> out.add(DatasetSnapshotRecord.fromDocument(d)));
        return out;
    }

    /** The file was removed by retention; the manifest stays, and the file can be materialised again. */
    public void markRetired(String id) {
        collection().updateOne(Filters.eq("_id", id), Updates.set("retired", true));
    }
}
