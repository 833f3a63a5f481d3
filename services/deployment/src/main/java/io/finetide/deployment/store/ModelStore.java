package io.finetide.deployment.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import io.finetide.platform.store.Documents;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ServingCost;

@ApplicationScoped
public class ModelStore {

    /** The field holding the evaluated event, as protobuf JSON. */
    static final String EVALUATION = "evaluation";

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
    /** The verdict's figures, and the whole evaluated event (its report is the model card's source). */
    public void recordVerdict(ModelEvaluatedEvent verdict) {
        List<Bson> updates = new ArrayList<>();
        updates.add(Updates.set("testAccuracy", verdict.getCandidate().getAccuracy()));
        updates.add(Updates.set("testMacroF1", verdict.getCandidate().getMacroF1()));
        updates.add(Updates.set("decisionReason", verdict.getDecisionReason()));
        try {
            updates.add(Updates.set(EVALUATION, JsonFormat.printer().print(verdict)));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        if (verdict.getReport().hasCandidateCost()) {
            ServingCost cost = verdict.getReport().getCandidateCost();
            updates.add(Updates.set("parameters", cost.getParameters()));
            updates.add(Updates.set("bundleBytes", cost.getBundleBytes()));
            updates.add(Updates.set("latencyMsP50", cost.getLatencyMsP50()));
        }
        update(verdict.getModelId(), updates.toArray(Bson[]::new));
    }

    /** The verdict on the model as the evaluation service announced it; empty before one arrived. */
    public Optional<ModelEvaluatedEvent> evaluation(String modelId) {
        Document d = Documents.byId(collection(), modelId);
        if (d == null || d.getString(EVALUATION) == null) {
            return Optional.empty();
        }
        ModelEvaluatedEvent.Builder b = ModelEvaluatedEvent.newBuilder();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(d.getString(EVALUATION), b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored verdict on " + modelId + " is unreadable", e);
        }
        return Optional.of(b.build());
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

    /**
     * Marks the champion rolled back, if it still is one.
     *
     * @return whether this call did it (false: it was not champion, or another replica got there first)
     */
    public boolean rollBack(String modelId, long atMs) {
        return collection().updateOne(Filters.and(Documents.id(modelId), Filters.eq("stage", ModelRecord.CHAMPION)),
                Updates.combine(Updates.set("stage", ModelRecord.ROLLED_BACK), Updates.set("retiredAtMs", atMs)))
                .getModifiedCount() == 1;
    }

    /**
     * Moves the model from stage {@code from} to {@code to}, if it is still in {@code from}.
     *
     * @return whether this call did it (false: another replica, or an earlier replay, got there first)
     */
    public boolean transition(String modelId, String from, String to) {
        return collection().updateOne(Filters.and(Documents.id(modelId), Filters.eq("stage", from)), Updates.set(
                "stage", to)).getModifiedCount() == 1;
    }

    /** The candidates in rollout (in shadow or canary), of every task. */
    public List<ModelRecord> inRollout() {
        List<ModelRecord> out = new ArrayList<>();
        collection().find(Filters.in("stage", ModelRecord.SHADOW, ModelRecord.CANARY)).forEach(d -> out.add(
                ModelRecord.fromDocument(d)));
        return out;
    }

    /** The champion the task had before its current one: the most recently retired. */
    public Optional<ModelRecord> previousChampion(String task) {
        return Optional.ofNullable(collection().find(Filters.and(Filters.eq("task", task), Filters.eq("stage",
                ModelRecord.RETIRED))).sort(Sorts.descending("retiredAtMs")).first()).map(ModelRecord::fromDocument);
    }

    private void update(String modelId, Bson... updates) {
        collection().updateOne(Documents.id(modelId), Updates.combine(updates));
    }
}
