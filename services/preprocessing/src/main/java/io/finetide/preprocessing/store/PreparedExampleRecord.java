package io.finetide.preprocessing.store;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;

/** A cleaned, split, tokenised example in collection {@code prepared_examples}, keyed by {@code task/id}. */
public record PreparedExampleRecord(String task, String id, String cleanText, String label, String split,
        List<Integer> tokenIds, int tokenCount, boolean truncated, int cleaningVersion, long preparedAtMs) {

    public static final String COLLECTION = "prepared_examples";

    public String key() {
        return task + "/" + id;
    }

    public Document toDocument() {
        return new Document("_id", key()).append("task", task).append("exampleId", id).append("cleanText", cleanText)
                .append("label", label).append("split", split).append("tokenIds", tokenIds)
                .append("tokenCount", tokenCount).append("truncated", truncated)
                .append("cleaningVersion", cleaningVersion).append("preparedAtMs", preparedAtMs);
    }

    public static PreparedExampleRecord fromDocument(Document d) {
        List<Integer> ids = new ArrayList<>(d.getList("tokenIds", Integer.class, List.of()));
        return new PreparedExampleRecord(d.getString("task"), d.getString("exampleId"), d.getString("cleanText"),
                d.getString("label"), d.getString("split"), ids, d.getInteger("tokenCount", 0),
                d.getBoolean("truncated", false), d.getInteger("cleaningVersion", 0), d.getLong("preparedAtMs"));
    }
}
