package io.finetide.deployment.store;

import org.bson.Document;

/**
 * One change to what serves a task: an automatic rollback or rollout abort, or an admin's promotion, rollback, pin,
 * unpin or abort, with who and why. {@code modelId} is the model acted on, {@code restoredModelId} the one that took its place.
 */
public record DeliveryActionRecord(String task, DeliveryAction action, String modelId, String restoredModelId,
        String actor, String reason, long atMs) {

    /** What was done. */
    public enum DeliveryAction {
        ROLLBACK, PROMOTE, PIN, UNPIN, ABORT
    }

    Document toDocument() {
        return new Document("task", task).append("action", action.name()).append("modelId", modelId).append(
                "restoredModelId", restoredModelId).append("actor", actor).append("reason", reason).append("atMs",
                        atMs);
    }

    static DeliveryActionRecord fromDocument(Document d) {
        return new DeliveryActionRecord(d.getString("task"), DeliveryAction.valueOf(d.getString("action")), d
                .getString("modelId"), d.getString("restoredModelId"), d.getString("actor"), d.getString("reason"),
                d
                        .getLong("atMs"));
    }
}
