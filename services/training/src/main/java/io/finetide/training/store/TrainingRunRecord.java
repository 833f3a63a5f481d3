package io.finetide.training.store;

import java.util.List;

import org.bson.Document;

/**
 * One training run per dataset snapshot, in collection {@code training_runs}, keyed by snapshot id: replaying a
 * snapshot event finds the run and does not train again.
 *
 * @param eventDigest SHA-256 of the snapshot event that started the run (empty for a run recorded before it was
 *                    kept): a failed run is retried by a replay of that event, not by another under its snapshot id
 */
public record TrainingRunRecord(String snapshotId, String task, String modelId, String status, String parentModelId,
        long startedAtMs, long finishedAtMs, List<Epoch> epochs, String message, String eventDigest) {

    /** Whether an event with this digest is the one that started the run (as far as the record knows). */
    public boolean startedBy(String digest) {
        return eventDigest.isEmpty() || eventDigest.equals(digest);
    }

    /** One epoch of the run: its mean training loss and the validation figures after it. */
    public record Epoch(int epoch, double trainLoss, double validationLoss, double validationAccuracy, long millis) {

        Document toDocument() {
            return new Document("epoch", epoch).append("trainLoss", trainLoss).append("validationLoss",
                    validationLoss).append("validationAccuracy", validationAccuracy).append("millis", millis);
        }

        static Epoch of(Document d) {
            return new Epoch(d.getInteger("epoch"), d.getDouble("trainLoss"), d.getDouble("validationLoss"), d
                    .getDouble("validationAccuracy"), ((Number) d.get("millis")).longValue());
        }
    }

    public static final String COLLECTION = "training_runs";
    public static final String RUNNING = "RUNNING";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";

    Document toDocument() {
        return new Document("_id", snapshotId).append("task", task).append("modelId", modelId)
                .append("status", status).append("parentModelId", parentModelId).append("startedAtMs", startedAtMs)
                .append("finishedAtMs", finishedAtMs).append("epochs", epochs.stream().map(Epoch::toDocument).toList())
                .append("message", message).append("eventDigest", eventDigest);
    }

    static TrainingRunRecord fromDocument(Document d) {
        return new TrainingRunRecord(d.getString("_id"), d.getString("task"), d.getString("modelId"),
                d.getString("status"), d.getString("parentModelId"), d.getLong("startedAtMs"),
                d.getLong("finishedAtMs"),
                d.getList("epochs", Document.class, List.of()).stream().map(Epoch::of).toList(),
                d.getString("message"), d.get("eventDigest", ""));
    }
}
