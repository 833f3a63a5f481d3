package io.finetide.platform.datasets;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.proto.v1.Split;

/**
 * The materialised form of a dataset snapshot: gzip'd JSON lines sorted by example id, one
 * {@code {"id","text"[,"textPair"],"label","split"[,"subset"][,"tokens","tags"][,"metadata"]}} per line. The same rows always give the same bytes (gzip without a timestamp),
 * so a snapshot's SHA-256 identifies its content.
 */
public final class SnapshotFile {

    /**
     * One example. {@code subset} marks test examples of the task's golden set ({@value #GOLDEN}) and of its rolling
     * recent set ({@value #RECENT}); empty otherwise, and then left out of the file. A token-classification example
     * has an empty label and its {@code tokens} with one BIO tag each; both are left out of the file otherwise.
     * {@code metadata} holds the example's values of the keys its task slices evaluation by (left out when none). A
     * text-pair example has its second text in {@code textPair} (left out otherwise). A text-generation example has
     * its prompt as {@code text}, an empty label and its {@code completion} (left out otherwise).
     */
    public record Row(String id, String text, @JsonInclude(JsonInclude.Include.NON_EMPTY) String textPair,
            String label, @JsonInclude(JsonInclude.Include.NON_EMPTY) String completion, String split,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) String subset,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tokens,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tags,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata) {

        public Row(String id, String text, String label, String split) {
            this(id, text, label, split, "");
        }

        public Row(String id, String text, String label, String split, String subset) {
            this(id, text, label, split, subset, List.of(), List.of());
        }

        public Row(String id, String text, String label, String split, String subset, List<String> tokens,
                List<String> tags) {
            this(id, text, label, split, subset, tokens, tags, Map.of());
        }

        public Row(String id, String text, String label, String split, String subset, List<String> tokens,
                List<String> tags, Map<String, String> metadata) {
            this(id, text, "", label, "", split, subset, tokens, tags, metadata);
        }

        /** A text-pair example. */
        public static Row pair(String id, String text, String textPair, String label, String split) {
            return new Row(id, text, textPair, label, "", split, "", List.of(), List.of(), Map.of());
        }

        /** A text-generation example. */
        public static Row completion(String id, String prompt, String completion, String split) {
            return new Row(id, prompt, "", "", completion, split, "", List.of(), List.of(), Map.of());
        }

        @JsonCreator
        public Row {
            textPair = textPair == null ? "" : textPair;
            completion = completion == null ? "" : completion;
            subset = subset == null ? "" : subset;
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
            tags = tags == null ? List.of() : List.copyOf(tags);
            metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(metadata));
        }

        /** The same example in another subset. */
        public Row inSubset(String name) {
            return new Row(id, text, textPair, label, completion, split, name, tokens, tags, metadata);
        }

        /** The same example with these metadata values. */
        public Row withMetadata(Map<String, String> values) {
            return new Row(id, text, textPair, label, completion, split, subset, tokens, tags, values);
        }

        public Split splitValue() {
            return Split.valueOf(split);
        }
    }

    public static final String GOLDEN = "golden";
    public static final String RECENT = "recent";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotFile() {
    }

    public static byte[] write(List<Row> rows) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(Row::id));
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (Writer w = new java.io.OutputStreamWriter(new GZIPOutputStream(bytes), StandardCharsets.UTF_8)) {
                for (Row r : sorted) {
                    w.write(JSON.writeValueAsString(r));
                    w.write('\n');
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Row> read(byte[] data) {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(new ByteArrayInputStream(data)), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isEmpty()) {
                    rows.add(JSON.readValue(line, Row.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable snapshot file", e);
        }
        return rows;
    }

    public static List<Row> split(List<Row> rows, Split split) {
        return rows.stream().filter(r -> r.split().equals(split.name())).toList();
    }

    public static List<Row> subset(List<Row> rows, String subset) {
        return rows.stream().filter(r -> r.subset().equals(subset)).toList();
    }
}
