package io.finetide.launcher.chaos;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import io.finetide.launcher.chaos.ChaosRecord.Fate;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.text.SimHash;
import io.finetide.proto.v1.RawExampleEvent;

/**
 * A seeded mixed stream for one task: about 80% good examples (most labelled) and 20% bad or repeated records of
 * every kind ingestion must handle, each with the fate it must meet. All records of the task share its key, so they
 * keep their order on one partition: what "already stored" means is then the same in every run, whichever instance
 * reads the partition.
 */
public final class ChaosStream {

    /** The task's byte limit: a text above it is refused. */
    public static final int MAX_TEXT_BYTES = 400;

    private ChaosStream() {
    }

    public static List<ChaosRecord> generate(String task, List<String> sentences, int n, long seed) {
        Random random = new Random(seed);
        List<ChaosRecord> out = new ArrayList<>(n);
        List<String[]> stored = new ArrayList<>();
        Set<String> hashes = new HashSet<>();
        int next = 0;
        for (int i = 0; i < n; i++) {
            int kind = stored.isEmpty() ? 0 : random.nextInt(100);
            String id = "c-" + i;
            if (kind < 80) {
                String text;
                do {
                    String base = sentences.get(next % sentences.size());
                    text = next < sentences.size() ? base : base + " (case " + next + ")";
                    next++;
                } while (!hashes.add(SimHash.contentHash(text))
                        || text.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES);
                boolean labelled = kind < 72;
                String label = labelled ? (random.nextBoolean() ? "positive" : "negative") : "";
                out.add(new ChaosRecord(false, json(id, task, text, label, 1), false, labelled
                        ? Fate.STORED_LABELLED
                        : Fate.STORED_UNLABELLED, id, label, null));
                stored.add(new String[]{id, text, label});
                continue;
            }
            String[] earlier = stored.get(random.nextInt(stored.size()));
            out.add(switch (kind) {
                case 80, 81 -> rejected(utf8("{\"id\":\"" + id + "\",\"task\":\"" + task + "\",\"text\":"), id,
                        ReasonCode.MALFORMED_PAYLOAD);
                // A length-delimited field announcing 5 bytes and holding 1.
                case 82, 83 -> new ChaosRecord(false, new byte[]{0x12, 0x05, 0x61}, true, Fate.REJECTED, null, "",
                        ReasonCode.MALFORMED_PAYLOAD);
                case 84, 85 -> {
                    byte[] v = json(id, task, "broken XX here", "positive", 1);
                    int at = new String(v, StandardCharsets.UTF_8).indexOf("XX");
                    v[at] = (byte) 0xC3;
                    v[at + 1] = (byte) 0x28;
                    yield rejected(v, id, ReasonCode.INVALID_UTF8);
                }
                case 86 -> rejected(json(id, task, "   ", "positive", 1), id, ReasonCode.EMPTY_TEXT);
                case 87 -> new ChaosRecord(false, new byte[0], false, Fate.REJECTED, null, "",
                        ReasonCode.MALFORMED_PAYLOAD);
                case 88 -> rejected(json(id, task, "x".repeat(MAX_TEXT_BYTES + 1), "positive", 1), id,
                        ReasonCode.TEXT_TOO_LONG);
                case 89 -> rejected(json(id, "no-such-task", "a text for nobody", "positive", 1), id,
                        ReasonCode.UNKNOWN_TASK);
                case 90 -> rejected(json(id, task, "a text with a wrong label " + i, "lukewarm", 1), id,
                        ReasonCode.UNKNOWN_LABEL);
                case 91 -> rejected(json(id, task, "from the future " + i, "positive", 99), id,
                        ReasonCode.UNSUPPORTED_SCHEMA_VERSION);
                // The same record again: a producer's retry.
                case 92, 93, 94 -> new ChaosRecord(false, json(earlier[0], task, earlier[1], earlier[2], 1), false,
                        Fate.DUPLICATE, earlier[0], earlier[2], null);
                // The same text under another id (case and punctuation do not make it new).
                case 95, 96 -> new ChaosRecord(false, json(id, task, earlier[1].toUpperCase(java.util.Locale.ROOT)
                        + "!", "positive", 1), false, Fate.DUPLICATE, id, "", null);
                // Protobuf works as well as JSON.
                case 97 -> protobufExample(task, id, "sent as protobuf " + i, stored, hashes);
                default -> new ChaosRecord(true, utf8("{\"task\":\"" + task + "\",\"id\":\"nobody-" + i
                        + "\",\"label\":\"positive\"}"), false, Fate.REJECTED, null, "", ReasonCode.UNKNOWN_EXAMPLE);
            });
        }
        return out;
    }

    /** The last record: a good labelled example with an id no other has, sent after the stream. */
    public static ChaosRecord marker(String task) {
        return new ChaosRecord(false, json("marker", task, "the marker: everything before it is handled", "positive",
                1), false, Fate.STORED_LABELLED, "marker", "positive", null);
    }

    /** The labels topic's last record: a label for an example nobody sent, refused last. */
    public static ChaosRecord labelsMarker(String task) {
        return new ChaosRecord(true, utf8("{\"task\":\"" + task + "\",\"id\":\"no-such-example-marker\","
                + "\"label\":\"positive\"}"), false, Fate.REJECTED, null, "", ReasonCode.UNKNOWN_EXAMPLE);
    }

    private static ChaosRecord protobufExample(String task, String id, String text, List<String[]> stored,
            Set<String> hashes) {
        hashes.add(SimHash.contentHash(text));
        stored.add(new String[]{id, text, "negative"});
        return new ChaosRecord(false, RawExampleEvent.newBuilder().setSchemaVersion(1).setId(id).setTask(task).setText(
                text).setLabel("negative").build().toByteArray(), true, Fate.STORED_LABELLED, id, "negative", null);
    }

    private static ChaosRecord rejected(byte[] value, String id, ReasonCode reason) {
        return new ChaosRecord(false, value, false, Fate.REJECTED, id, "", reason);
    }

    private static byte[] json(String id, String task, String text, String label, int schemaVersion) {
        StringBuilder b = new StringBuilder("{\"id\":\"").append(id).append("\",\"task\":\"").append(task).append(
                "\",\"text\":\"").append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        if (!label.isEmpty()) {
            b.append(",\"label\":\"").append(label).append('"');
        }
        if (schemaVersion != 1) {
            b.append(",\"schemaVersion\":").append(schemaVersion);
        }
        return utf8(b.append('}').toString());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
