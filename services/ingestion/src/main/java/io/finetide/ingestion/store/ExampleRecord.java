package io.finetide.ingestion.store;

import java.util.Map;

import org.bson.Document;

import io.finetide.platform.events.Events;
import io.finetide.proto.v1.LabelledExampleEvent;

/**
 * An accepted example in collection {@code examples}, keyed by {@code task/id}. {@code text} is as stored: with
 * personal data replaced when the task redacts ({@code redactions} counts the replacements per type; the original is
 * never stored). {@code contentHash} and {@code simhash} fingerprint the normalised text for de-duplication.
 *
 * <p>
 * A token-classification example has {@code tokens} ({@code text} is their join with spaces) and, once labelled, its
 * BIO tags joined with single spaces as {@code label}: so that "unlabelled" is the same empty label for both kinds,
 * and two annotators' taggings compare as two labels do. A text-pair example has its second text in {@code textPair}
 * (empty for every other kind); its fingerprints cover both texts.
 */
public record ExampleRecord(String task, String id, String text, String textPair, String label,
        Map<String, String> metadata,
        String contentHash, long simhash, Map<String, Integer> redactions, String source, long ingestedAtMs,
        java.util.List<String> tokens) {

    public static final String COLLECTION = "examples";

    public String key() {
        return key(task, id);
    }

    public static String key(String task, String id) {
        return task + "/" + id;
    }

    /** This example with a late label, counting from when it was given. */
    public ExampleRecord labelled(String newLabel, long atMs) {
        return new ExampleRecord(task, id, text, textPair, newLabel, metadata, contentHash, simhash, redactions, source,
                atMs,
                tokens);
    }

    /** The task of a {@link #key}: task names hold no slash. */
    public static String taskOf(String key) {
        return key.substring(0, key.indexOf('/'));
    }

    public boolean isTokenExample() {
        return !tokens.isEmpty();
    }

    /** The example as it goes downstream, with {@code label} (a late one, or its own) and the time it counts from. */
    public LabelledExampleEvent toEvent(String label, long ingestedAtMs) {
        LabelledExampleEvent.Builder b = LabelledExampleEvent.newBuilder().setMeta(Events.meta(task)).setId(id)
                .setText(text).setTextPair(textPair).putAllMetadata(metadata).setContentHash(contentHash)
                .setSource(source)
                .setIngestedAtMs(ingestedAtMs);
        if (isTokenExample()) {
            b.addAllTokens(tokens).addAllTags(java.util.Arrays.asList(label.split(" ")));
        } else {
            b.setLabel(label);
        }
        return b.build();
    }

    public Document toDocument() {
        Document d = new Document("_id", key()).append("task", task).append("exampleId", id).append("text", text)
                .append("label", label).append("metadata", new Document(Map.copyOf(metadata)))
                .append("contentHash", contentHash).append("simhash", simhash)
                .append("redactions", new Document(Map.copyOf(redactions))).append("source", source)
                .append("ingestedAtMs", ingestedAtMs).append("tokens", tokens);
        return textPair.isEmpty() ? d : d.append("textPair", textPair);
    }

    public static ExampleRecord fromDocument(Document d) {
        Document meta = d.get("metadata", Document.class);
        Map<String, String> metadata = new java.util.HashMap<>();
        if (meta != null) {
            meta.forEach((k, v) -> metadata.put(k, String.valueOf(v)));
        }
        Map<String, Integer> redactions = new java.util.HashMap<>();
        Document r = d.get("redactions", Document.class);
        if (r != null) {
            r.forEach((k, v) -> redactions.put(k, ((Number) v).intValue()));
        }
        Object simhash = d.get("simhash");
        return new ExampleRecord(d.getString("task"), d.getString("exampleId"), d.getString("text"), d.get(
                "textPair", ""), d.getString("label"), metadata, d.getString("contentHash"),
                simhash instanceof Number n
                        ? n
                                .longValue()
                        : 0L,
                redactions, d.getString("source"), d.getLong("ingestedAtMs"), d.containsKey("tokens")
                        ? d.getList(
                                "tokens", String.class)
                        : java.util.List.of());
    }
}
