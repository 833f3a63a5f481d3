package io.finetide.preprocessing.store;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.finetide.platform.store.Documents;
import io.finetide.proto.v1.Split;

@ApplicationScoped
public class PreparedExampleStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(PreparedExampleRecord.COLLECTION);
    }

    public boolean insertOnce(PreparedExampleRecord r) {
        return Documents.insertOnce(collection(), r.key(), r.toDocument());
    }

    /** Training examples of {@code task} that no snapshot includes yet. */
    public long countNewTraining(String task) {
        return collection().countDocuments(Filters.and(Filters.eq("task", task), Filters.eq("split",
                Split.TRAIN.name()), Filters.eq("snapshotVersion", 0)));
    }

    public List<PreparedExampleRecord> all(String task) {
        List<PreparedExampleRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).batchSize(1000)
                .forEach(d -> out.add(PreparedExampleRecord.fromDocument(d)));
        return out;
    }

    /** Marks everything of {@code task} not yet in a snapshot as first included by {@code version}. */
    public void markIncluded(String task, int version) {
        collection().updateMany(Filters.and(Filters.eq("task", task), Filters.eq("snapshotVersion", 0)),
                Updates.set("snapshotVersion", version));
    }
}
