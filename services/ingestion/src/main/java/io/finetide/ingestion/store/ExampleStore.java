package io.finetide.ingestion.store;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.finetide.platform.store.Documents;

@ApplicationScoped
public class ExampleStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(ExampleRecord.COLLECTION);
    }

    /** @return true when this call stored the example, false when its id was already there */
    public boolean insertOnce(ExampleRecord example) {
        return Documents.insertOnce(collection(), example.key(), example.toDocument());
    }

    public Optional<ExampleRecord> find(String task, String id) {
        return Optional.ofNullable(Documents.byId(collection(), ExampleRecord.key(task, id)))
                .map(ExampleRecord::fromDocument);
    }

    public void markEmitted(String task, String id) {
        collection().updateOne(Documents.id(ExampleRecord.key(task, id)), Updates.set("emitted", true));
    }

    public long count(String task) {
        return collection().countDocuments(Filters.eq("task", task));
    }
}
