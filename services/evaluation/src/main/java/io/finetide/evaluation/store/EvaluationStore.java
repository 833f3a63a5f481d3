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

    /** The model's latest verdict: its first, or the last judged again against a later champion. */
    public Optional<EvaluationReportRecord> find(String modelId) {
        return Optional.ofNullable(collection().find(Filters.or(Filters.eq("_id", modelId), Filters.eq("modelId",
                modelId))).sort(Sorts.descending("createdAtMs")).first()).map(EvaluationReportRecord::fromDocument);
    }

    /** The first verdict on a model. */
    public boolean insertOnce(EvaluationReportRecord r) {
        return Documents.insertOnce(collection(), r.modelId(), r.toDocument());
    }

    /** A verdict judged again against a later champion: once per model and champion. */
    public boolean insertRejudged(EvaluationReportRecord r) {
        return Documents.insertOnce(collection(), r.modelId() + "@" + r.championModelId(), r.toDocument());
    }

    /** Whether the model was judged against {@code championModelId} (empty: against no champion). */
    public boolean judgedAgainst(String modelId, String championModelId) {
        Document first = Documents.byId(collection(), modelId);
        return first != null && championModelId.equals(first.getString("championModelId")) || Documents.byId(
                collection(), modelId + "@" + championModelId) != null;
    }

    /**
     * The task's candidates whose latest verdict blessed them against {@code championModelId}: they wait for that
     * champion, which has just been replaced.
     */
    public List<EvaluationReportRecord> blessedAgainst(String task, String championModelId) {
        java.util.Map<String, EvaluationReportRecord> latest = new java.util.LinkedHashMap<>();
        forTask(task).forEach(r -> latest.put(r.modelId(), r));
        return latest.values().stream().filter(r -> r.blessed() && championModelId.equals(r.championModelId()))
                .toList();
    }

    public List<EvaluationReportRecord> forTask(String task) {
        List<EvaluationReportRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).sort(Sorts.ascending("createdAtMs"))
                .forEach(d -> out.add(EvaluationReportRecord.fromDocument(d)));
        return out;
    }
}
