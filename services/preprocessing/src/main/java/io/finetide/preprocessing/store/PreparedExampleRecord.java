package io.finetide.preprocessing.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.Document;

/**
 * A cleaned, split, tokenised example in collection {@code prepared_examples}, keyed by {@code task/id}. It keeps the
 * text as ingested (so that a change of cleaning or tokenizer can prepare it again), a per-task sequence number in
 * preparation order (snapshots are cuts of it) and the labelled-topic record it came from. A token-classification
 * example has an empty label, its words and one BIO tag per word. {@code metadata} is the producer's, as ingested
 * (evaluation slices by it). A text-pair example has its second text as ingested and cleaned in {@code textPair} and
 * {@code cleanTextPair} (empty for every other kind); its token figures are the pair's. A text-generation example has
 * its prompt as {@code text}/{@code cleanText}, an empty label and its completion, as written, in {@code completion};
 * its token figures are the prompt's and completion's together.
 */
public record PreparedExampleRecord(String task, String id, String text, String cleanText, String label,
        String split, boolean golden, long seq, List<Integer> tokenIds, int tokenCount, boolean truncated,
        int unknownTokens, int contentTokens, String cleaningVersion, String tokenizerVersion, String sourceTopic,
        int sourcePartition, long sourceOffset, long preparedAtMs, List<String> words, List<String> tags,
        Map<String, String> metadata, String textPair, String cleanTextPair, String completion) {

    public PreparedExampleRecord {
        textPair = textPair == null ? "" : textPair;
        completion = completion == null ? "" : completion;
        cleanTextPair = cleanTextPair == null ? "" : cleanTextPair;
        words = words == null ? List.of() : List.copyOf(words);
        tags = tags == null ? List.of() : List.copyOf(tags);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A text-classification example. */
    public PreparedExampleRecord(String task, String id, String text, String cleanText, String label, String split,
            boolean golden, long seq, List<Integer> tokenIds, int tokenCount, boolean truncated, int unknownTokens,
            int contentTokens, String cleaningVersion, String tokenizerVersion, String sourceTopic,
            int sourcePartition, long sourceOffset, long preparedAtMs) {
        this(task, id, text, cleanText, label, split, golden, seq, tokenIds, tokenCount, truncated, unknownTokens,
                contentTokens, cleaningVersion, tokenizerVersion, sourceTopic, sourcePartition, sourceOffset,
                preparedAtMs, List.of(), List.of(), Map.of(), "", "", "");
    }

    public static final String COLLECTION = "prepared_examples";

    public String key() {
        return key(task, id);
    }

    public static String key(String task, String id) {
        return task + "/" + id;
    }

    public Document toDocument() {
        Document d = new Document("_id", key()).append("task", task).append("exampleId", id).append("text", text)
                .append("cleanText", cleanText).append("label", label).append("split", split)
                .append("golden", golden).append("seq", seq).append("tokenIds", tokenIds)
                .append("tokenCount", tokenCount).append("truncated", truncated)
                .append("unknownTokens", unknownTokens).append("contentTokens", contentTokens)
                .append("cleaningVersion", cleaningVersion).append("tokenizerVersion", tokenizerVersion)
                .append("sourceTopic", sourceTopic).append("sourcePartition", sourcePartition)
                .append("sourceOffset", sourceOffset).append("preparedAtMs", preparedAtMs);
        if (!words.isEmpty()) {
            d.append("words", words).append("tags", tags);
        }
        if (!textPair.isEmpty()) {
            d.append("textPair", textPair).append("cleanTextPair", cleanTextPair);
        }
        if (!completion.isEmpty()) {
            d.append("completion", completion);
        }
        if (!metadata.isEmpty()) {
            d.append("metadata", new Document(new java.util.TreeMap<String, Object>(metadata)));
        }
        return d;
    }

    public static PreparedExampleRecord fromDocument(Document d) {
        List<Integer> ids = new ArrayList<>(d.getList("tokenIds", Integer.class, List.of()));
        return new PreparedExampleRecord(d.getString("task"), d.getString("exampleId"), d.getString("text"),
                d.getString("cleanText"), d.getString("label"), d.getString("split"), d.getBoolean("golden", false),
                number(d, "seq"), ids, d.getInteger("tokenCount", 0), d.getBoolean("truncated", false),
                d.getInteger("unknownTokens", 0), d.getInteger("contentTokens", 0), d.getString("cleaningVersion"),
                d.getString("tokenizerVersion"), d.getString("sourceTopic"), d.getInteger("sourcePartition", -1),
                number(d, "sourceOffset"), number(d, "preparedAtMs"), d.getList("words", String.class, List.of()), d
                        .getList("tags", String.class, List.of()),
                metadata(d), d.get("textPair", ""), d.get("cleanTextPair", ""), d.get("completion", ""));
    }

    private static Map<String, String> metadata(Document d) {
        Document m = d.get("metadata", Document.class);
        Map<String, String> out = new java.util.TreeMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        }
        return out;
    }

    static long number(Document d, String key) {
        Object v = d.get(key);
        return v instanceof Number n ? n.longValue() : 0L;
    }
}
