package io.finetide.ingestion.store;

import java.util.List;

import org.bson.Document;

/**
 * A labeling function as stored and as the API lists it.
 *
 * @param kind     the function's kind ({@code KEYWORD} or {@code REGEX})
 * @param patterns what it looks for in a text
 * @param label    the label it votes when one matches
 */
public record LabelingFunctionRecord(String name, String kind, List<String> patterns, String label,
        boolean caseSensitive, long updatedAtMs) {

    public LabelingFunctionRecord {
        patterns = List.copyOf(patterns);
    }

    Document toDocument(String task) {
        return new Document("task", task).append("name", name).append("kind", kind).append("patterns", patterns)
                .append("label", label).append("caseSensitive", caseSensitive).append("updatedAtMs", updatedAtMs);
    }

    static LabelingFunctionRecord of(Document d) {
        Number updated = (Number) d.get("updatedAtMs");
        return new LabelingFunctionRecord(d.getString("name"), d.getString("kind"), d.getList("patterns",
                String.class), d.getString("label"), Boolean.TRUE.equals(d.getBoolean("caseSensitive")),
                updated == null ? 0 : updated.longValue());
    }
}
