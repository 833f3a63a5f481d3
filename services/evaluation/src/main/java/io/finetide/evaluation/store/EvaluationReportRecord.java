package io.finetide.evaluation.store;

import org.bson.Document;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import io.finetide.proto.v1.ModelEvaluatedEvent;

/**
 * A verdict on one candidate, in collection {@code evaluation_reports}: the first keyed by model id, one judged again
 * against a later champion by {@code <model id>@<champion id>}. The whole event is kept (as JSON, readable in the
 * store) so that a replayed trained event re-announces the latest verdict rather than a new one.
 */
public record EvaluationReportRecord(String modelId, String task, String snapshotId, boolean blessed,
        double candidateMacroF1, double candidateAccuracy, String championModelId, double championMacroF1,
        String reason, String eventJson, long createdAtMs) {

    public static final String COLLECTION = "evaluation_reports";

    public static EvaluationReportRecord of(ModelEvaluatedEvent e) {
        try {
            return new EvaluationReportRecord(e.getModelId(), e.getMeta().getTask(), e.getSnapshotId(), e.getBlessed(),
                    e.getCandidate().getMacroF1(), e.getCandidate().getAccuracy(), e.getChampionModelId(),
                    e.hasChampion() ? e.getChampion().getMacroF1() : 0, e.getDecisionReason(),
                    JsonFormat.printer().print(e), System.currentTimeMillis());
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public ModelEvaluatedEvent event() {
        ModelEvaluatedEvent.Builder b = ModelEvaluatedEvent.newBuilder();
        try {
            JsonFormat.parser().merge(eventJson, b);
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("stored evaluation of " + modelId + " is unreadable", ex);
        }
        return b.build();
    }

    public Document toDocument() {
        return new Document("_id", modelId).append("modelId", modelId).append("task", task)
                .append("snapshotId", snapshotId)
                .append("blessed", blessed).append("candidateMacroF1", candidateMacroF1)
                .append("candidateAccuracy", candidateAccuracy).append("championModelId", championModelId)
                .append("championMacroF1", championMacroF1).append("reason", reason).append("event", eventJson)
                .append("createdAtMs", createdAtMs);
    }

    public static EvaluationReportRecord fromDocument(Document d) {
        // Verdicts stored before re-judging existed have no modelId field: their _id is it.
        return new EvaluationReportRecord(d.getString(d.containsKey("modelId") ? "modelId" : "_id"), d.getString(
                "task"), d.getString("snapshotId"),
                d.getBoolean("blessed"), d.getDouble("candidateMacroF1"), d.getDouble("candidateAccuracy"),
                d.getString("championModelId"), d.getDouble("championMacroF1"), d.getString("reason"),
                d.getString("event"), d.getLong("createdAtMs"));
    }
}
