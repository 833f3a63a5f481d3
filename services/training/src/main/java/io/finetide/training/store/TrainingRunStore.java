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
public class TrainingRunStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(TrainingRunRecord.COLLECTION);
    }

    public Optional<TrainingRunRecord> find(String snapshotId) {
        return Optional.ofNullable(Documents.byId(collection(), snapshotId)).map(TrainingRunRecord::fromDocument);
    }

    public void put(TrainingRunRecord run) {
        Documents.put(collection(), run.snapshotId(), run.toDocument());
    }

    public List<TrainingRunRecord> forTask(String task) {
        List<TrainingRunRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).sort(Sorts.ascending("startedAtMs"))
                .forEach(d -> out.add(TrainingRunRecord.fromDocument(d)));
        return out;
    }
}
