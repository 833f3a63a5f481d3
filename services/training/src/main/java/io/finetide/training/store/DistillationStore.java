package io.finetide.training.store;

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

import io.finetide.platform.store.Documents;

@ApplicationScoped
public class DistillationStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(DistillationRecord.COLLECTION);
    }

    /** Stores a new request; false when one of that id is stored already (a replay). */
    public boolean insertOnce(DistillationRecord r) {
        return Documents.insertOnce(collection(), r.requestId(), r.toDocument());
    }

    public void put(DistillationRecord r) {
        Documents.put(collection(), r.requestId(), r.toDocument());
    }

    public Optional<DistillationRecord> find(String requestId) {
        return Optional.ofNullable(Documents.byId(collection(), requestId)).map(DistillationRecord::fromDocument);
    }

    /** The task's requests, oldest first. */
    public List<DistillationRecord> forTask(String task) {
        List<DistillationRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).sort(Sorts.ascending("requestedAtMs")).forEach(d -> out.add(
                DistillationRecord.fromDocument(d)));
        return out;
    }

    /** How many of the task's requests have named a student: the next student's number is one more. */
    public long studentsNamed(String task) {
        return collection().countDocuments(Filters.and(Filters.eq("task", task), Filters.ne("modelId", "")));
    }
}
