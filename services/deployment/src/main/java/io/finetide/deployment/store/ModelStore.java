package io.finetide.deployment.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import io.finetide.platform.store.Documents;

@ApplicationScoped
public class ModelStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(ModelRecord.COLLECTION);
    }

    public boolean insertOnce(ModelRecord r) {
        return Documents.insertOnce(collection(), r.modelId(), r.toDocument());
    }

    public Optional<ModelRecord> find(String modelId) {
        return Optional.ofNullable(Documents.byId(collection(), modelId)).map(ModelRecord::fromDocument);
    }

    public List<ModelRecord> forTask(String task) {
        List<ModelRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).sort(Sorts.ascending("version", "createdAtMs"))
                .forEach(d -> out.add(ModelRecord.fromDocument(d)));
        return out;
    }

    public List<ModelRecord> champions() {
        List<ModelRecord> out = new ArrayList<>();
        collection().find(Filters.eq("stage", ModelRecord.CHAMPION))
                .forEach(d -> out.add(ModelRecord.fromDocument(d)));
        return out;
    }

    /** The candidate's figures on the evaluation's test examples and the gate's reason. */
    public void recordVerdict(String modelId, double testAccuracy, double testMacroF1, String decisionReason) {
        update(modelId, Updates.set("testAccuracy", testAccuracy), Updates.set("testMacroF1", testMacroF1), Updates
                .set("decisionReason", decisionReason));
    }

    public void reject(String modelId) {
        update(modelId, Updates.set("stage", ModelRecord.REJECTED));
    }

    public void promote(String modelId, long atMs) {
        update(modelId, Updates.set("stage", ModelRecord.CHAMPION), Updates.set("promotedAtMs", atMs));
    }

    public void retire(String modelId, long atMs) {
        update(modelId, Updates.set("stage", ModelRecord.RETIRED), Updates.set("retiredAtMs", atMs));
    }

    private void update(String modelId, Bson... updates) {
        collection().updateOne(Documents.id(modelId), Updates.combine(updates));
    }
}
