package io.finetide.evaluation.store;

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
public class EvaluationStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(EvaluationReportRecord.COLLECTION);
    }

    public Optional<EvaluationReportRecord> find(String modelId) {
        return Optional.ofNullable(Documents.byId(collection(), modelId)).map(EvaluationReportRecord::fromDocument);
    }

    public boolean insertOnce(EvaluationReportRecord r) {
        return Documents.insertOnce(collection(), r.modelId(), r.toDocument());
    }

    public List<EvaluationReportRecord> forTask(String task) {
        List<EvaluationReportRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).sort(Sorts.ascending("createdAtMs"))
                .forEach(d -> out.add(EvaluationReportRecord.fromDocument(d)));
        return out;
    }
}
