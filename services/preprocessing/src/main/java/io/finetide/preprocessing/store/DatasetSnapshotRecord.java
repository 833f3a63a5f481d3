package io.finetide.preprocessing.store;

import org.bson.Document;

/** An immutable dataset version in collection {@code dataset_snapshots}, keyed by snapshot id. */
public record DatasetSnapshotRecord(String id, String task, int version, String parentId, long train,
        long validation, long test, long newTrainExamples, String contentHash, String artifact, int cleaningVersion,
        String tokenizer, long createdAtMs) {

    public static final String COLLECTION = "dataset_snapshots";

    public Document toDocument() {
        return new Document("_id", id).append("task", task).append("version", version).append("parentId", parentId)
                .append("train", train).append("validation", validation).append("test", test)
                .append("newTrainExamples", newTrainExamples).append("contentHash", contentHash)
                .append("artifact", artifact).append("cleaningVersion", cleaningVersion)
                .append("tokenizer", tokenizer).append("createdAtMs", createdAtMs);
    }

    public static DatasetSnapshotRecord fromDocument(Document d) {
        return new DatasetSnapshotRecord(d.getString("_id"), d.getString("task"), d.getInteger("version"),
                d.getString("parentId"), d.getLong("train"), d.getLong("validation"), d.getLong("test"),
                d.getLong("newTrainExamples"), d.getString("contentHash"), d.getString("artifact"),
                d.getInteger("cleaningVersion"), d.getString("tokenizer"), d.getLong("createdAtMs"));
    }
}
