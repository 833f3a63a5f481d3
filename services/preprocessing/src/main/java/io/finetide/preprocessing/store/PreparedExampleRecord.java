package io.finetide.preprocessing.store;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;

/**
 * A cleaned, split, tokenised example in collection {@code prepared_examples}, keyed by {@code task/id}.
 * {@code snapshotVersion} is 0 until a snapshot first includes it.
 */
public record PreparedExampleRecord(String task, String id, String cleanText, String label, String split,
        List<Integer> tokenIds, int tokenCount, boolean truncated, int cleaningVersion, int snapshotVersion,
        long preparedAtMs) {

    public static final String COLLECTION = "prepared_examples";

    public String key() {
        return task + "/" + id;
    }

    public Document toDocument() {
        return new Document("_id", key()).append("task", task).append("exampleId", id).append("cleanText", cleanText)
                .append("label", label).append("split", split).append("tokenIds", tokenIds)
                .append("tokenCount", tokenCount).append("truncated", truncated)
                .append("cleaningVersion", cleaningVersion).append("snapshotVersion", snapshotVersion)
                .append("preparedAtMs", preparedAtMs);
    }

    public static PreparedExampleRecord fromDocument(Document d) {
        List<Integer> ids = new ArrayList<>(d.getList("tokenIds", Integer.class, List.of()));
        return new PreparedExampleRecord(d.getString("task"), d.getString("exampleId"), d.getString("cleanText"),
                d.getString("label"), d.getString("split"), ids, d.getInteger("tokenCount", 0),
                d.getBoolean("truncated", false), d.getInteger("cleaningVersion", 0),
                d.getInteger("snapshotVersion", 0), d.getLong("preparedAtMs"));
    }
}
