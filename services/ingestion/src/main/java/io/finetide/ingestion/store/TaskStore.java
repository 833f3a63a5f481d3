package io.finetide.ingestion.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;

import io.finetide.platform.store.Documents;

@ApplicationScoped
public class TaskStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(TaskRecord.COLLECTION);
    }

    /** @return true when the task was new */
    public boolean insertOnce(TaskRecord task) {
        return Documents.insertOnce(collection(), task.name(), task.toDocument());
    }

    /** Stores a changed definition in place of the old one. */
    public void replace(TaskRecord task) {
        Documents.put(collection(), task.name(), task.toDocument());
    }

    public Optional<TaskRecord> find(String name) {
        return Optional.ofNullable(Documents.byId(collection(), name)).map(TaskRecord::fromDocument);
    }

    public List<TaskRecord> all() {
        List<TaskRecord> out = new ArrayList<>();
        collection().find().forEach(d -> out.add(TaskRecord.fromDocument(d)));
        return out;
    }
}
