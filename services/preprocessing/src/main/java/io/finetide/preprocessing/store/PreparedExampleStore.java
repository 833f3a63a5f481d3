package io.finetide.preprocessing.store;

import java.util.ArrayList;
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

import io.finetide.platform.store.Documents;
import io.finetide.proto.v1.Split;

@ApplicationScoped
public class PreparedExampleStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(PreparedExampleRecord.COLLECTION);
    }

    /** @return the keys this call stored (the others were prepared before) */
    public Set<String> insertAllOnce(List<PreparedExampleRecord> records) {
        Map<String, Document> docs = new LinkedHashMap<>();
        records.forEach(r -> docs.putIfAbsent(r.key(), r.toDocument()));
        return Documents.insertAllOnce(collection(), docs);
    }

    /** All training examples of {@code task}. */
    public long countTraining(String task) {
        return collection().countDocuments(Filters.and(Filters.eq("task", task), Filters.eq("split",
                Split.TRAIN.name())));
    }

    public List<PreparedExampleRecord> all(String task) {
        List<PreparedExampleRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).batchSize(1000)
                .forEach(d -> out.add(PreparedExampleRecord.fromDocument(d)));
        return out;
    }

}
