package io.finetide.training.store;

import java.util.List;

import org.bson.Document;

/**
 * One training run per dataset snapshot, in collection {@code training_runs}, keyed by snapshot id: replaying a
 * snapshot event finds the run and does not train again.
 */
public record TrainingRunRecord(String snapshotId, String task, String modelId, String status, String parentModelId,
        long startedAtMs, long finishedAtMs, List<Document> epochs, String message) {

    public static final String COLLECTION = "training_runs";
    public static final String RUNNING = "RUNNING";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";

    public Document toDocument() {
        return new Document("_id", snapshotId).append("task", task).append("modelId", modelId)
                .append("status", status).append("parentModelId", parentModelId).append("startedAtMs", startedAtMs)
                .append("finishedAtMs", finishedAtMs).append("epochs", epochs).append("message", message);
    }

    public static TrainingRunRecord fromDocument(Document d) {
        return new TrainingRunRecord(d.getString("_id"), d.getString("task"), d.getString("modelId"),
                d.getString("status"), d.getString("parentModelId"), d.getLong("startedAtMs"),
                d.getLong("finishedAtMs"), d.getList("epochs", Document.class, List.of()), d.getString("message"));
    }
}
