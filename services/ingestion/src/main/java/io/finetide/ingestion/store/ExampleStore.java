package io.finetide.ingestion.store;

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

    /** The keys among {@code keys} that are stored already. */
    public Set<String> existing(Collection<String> keys) {
        return Documents.existingIds(collection(), keys);
    }

    /** @return the keys this call stored (one that a concurrent writer stored first is left out) */
    public Set<String> insertNew(List<ExampleRecord> examples) {
        Map<String, Document> docs = new LinkedHashMap<>();
        examples.forEach(e -> docs.putIfAbsent(e.key(), e.toDocument()));
        return Documents.insertNew(collection(), docs);
    }

}
