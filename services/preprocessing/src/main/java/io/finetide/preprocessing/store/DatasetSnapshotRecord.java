package io.finetide.preprocessing.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;

/**
 * An immutable dataset version in collection {@code dataset_snapshots}, keyed by snapshot id: its manifest (what it
 * holds, where that came from, how it was made and why) and its statistics. {@code cut} is the highest preparation
 * sequence number it includes; with {@code parentCut}, {@code replayFraction} and the task's golden and recent test
 * rules it determines the content, so the file can be materialised again from the prepared examples.
 * {@code sequenceLength} is the length its models are trained at (chosen from its examples for a task that left it
 * out) and the share of its examples longer than that.
 */
public record DatasetSnapshotRecord(String id, String task, int version, String parentId, long cut, long parentCut,
        long trainTotalAtCut, long train, long validation, long test, long golden, long recent,
        long newTrainExamples, long replayedTrainExamples, double replayFraction, int recentTestSize,
        String contentHash, String artifact, String cleaningVersion, String tokenizerVersion,
        List<String> triggerReasons, List<Source> sources, Map<String, Long> labelCounts,
        Map<String, Long> trainLengths, double unknownTokenRate, List<String> topNgrams, long createdAtMs,
        boolean retired, Length sequenceLength) {

    public static final String COLLECTION = "dataset_snapshots";

    /** The labelled-topic records of one partition that the snapshot's examples came from. */
    public record Source(String topic, int partition, long firstOffset, long lastOffset, long examples) {
    }

    /**
     * The tokens the snapshot's models read.
     *
     * @param fromData       chosen from the examples (or kept from the parent's choice), not set by the task
     * @param truncatedShare the share of the snapshot's examples (all splits) longer than {@code maxSeqLen}
     * @param cap            the longest the choice could be; 0 when the task set the length
     */
    public record Length(int maxSeqLen, boolean fromData, double truncatedShare, int cap) {

        public static Length of(io.finetide.proto.v1.SequenceLength l) {
            return new Length(l.getMaxSeqLen(), l.getFromData(), l.getTruncatedShare(), l.getCap());
        }

        public io.finetide.proto.v1.SequenceLength toEvent() {
            return io.finetide.proto.v1.SequenceLength.newBuilder().setMaxSeqLen(maxSeqLen).setFromData(fromData)
                    .setTruncatedShare(truncatedShare).setCap(cap).build();
        }
    }

    /** Training label counts ({@code label -> count}), the reference for label drift. */
    public Map<String, Long> trainLabels() {
        Map<String, Long> out = new LinkedHashMap<>();
        labelCounts.forEach((k, v) -> {
            if (k.startsWith("TRAIN/")) {
                out.put(k.substring("TRAIN/".length()), v);
            }
        });
        return out;
    }

    public Document toDocument() {
        List<Document> src = new ArrayList<>();
        for (Source s : sources) {
            src.add(new Document("topic", s.topic()).append("partition", s.partition()).append("firstOffset", s
                    .firstOffset()).append("lastOffset", s.lastOffset()).append("examples", s.examples()));
        }
        return new Document("_id", id).append("task", task).append("version", version).append("parentId", parentId)
                .append("cut", cut).append("parentCut", parentCut).append("trainTotalAtCut", trainTotalAtCut)
                .append("train", train).append("validation", validation).append("test", test)
                .append("golden", golden).append("recent", recent).append("newTrainExamples", newTrainExamples)
                .append("replayedTrainExamples", replayedTrainExamples).append("replayFraction", replayFraction)
                .append("recentTestSize", recentTestSize).append("contentHash", contentHash)
                .append("artifact", artifact).append("cleaningVersion", cleaningVersion)
                .append("tokenizerVersion", tokenizerVersion).append("triggerReasons", triggerReasons)
                .append("sources", src).append("labelCounts", new Document(new LinkedHashMap<>(labelCounts)))
                .append("trainLengths", new Document(new LinkedHashMap<>(trainLengths)))
                .append("unknownTokenRate", unknownTokenRate).append("topNgrams", topNgrams)
                .append("createdAtMs", createdAtMs).append("retired", retired).append("sequenceLength",
                        new Document("maxSeqLen", sequenceLength.maxSeqLen()).append("fromData", sequenceLength
                                .fromData()).append("truncatedShare", sequenceLength.truncatedShare()).append("cap",
                                        sequenceLength.cap()));
    }

    public static DatasetSnapshotRecord fromDocument(Document d) {
        List<Source> src = new ArrayList<>();
        for (Document s : d.getList("sources", Document.class, List.of())) {
            src.add(new Source(s.getString("topic"), s.getInteger("partition"), n(s, "firstOffset"), n(s,
                    "lastOffset"), n(s, "examples")));
        }
        return new DatasetSnapshotRecord(d.getString("_id"), d.getString("task"), d.getInteger("version"),
                d.getString("parentId"), n(d, "cut"), n(d, "parentCut"), n(d, "trainTotalAtCut"), n(d, "train"),
                n(d, "validation"), n(d, "test"), n(d, "golden"), n(d, "recent"), n(d, "newTrainExamples"),
                n(d, "replayedTrainExamples"), d.getDouble("replayFraction"), d.getInteger("recentTestSize", 0),
                d.getString("contentHash"), d.getString("artifact"), d.getString("cleaningVersion"),
                d.getString("tokenizerVersion"), new ArrayList<>(d.getList("triggerReasons", String.class, List
                        .of())),
                src, counts(d.get("labelCounts", Document.class)), counts(d.get("trainLengths",
                        Document.class)),
                d.getDouble("unknownTokenRate"), new ArrayList<>(d.getList(
                        "topNgrams", String.class, List.of())),
                n(d, "createdAtMs"), d.getBoolean(
                        "retired", false),
                length(d.get("sequenceLength", Document.class)));
    }

    /** A manifest written before lengths were recorded: unknown (0). */
    private static Length length(Document d) {
        return d == null
                ? new Length(0, false, 0, 0)
                : new Length(d.getInteger("maxSeqLen", 0), d.getBoolean("fromData", false), ((Number) d.get(
                        "truncatedShare")).doubleValue(), d.getInteger("cap", 0));
    }

    private static long n(Document d, String key) {
        return PreparedExampleRecord.number(d, key);
    }

    private static Map<String, Long> counts(Document d) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (d != null) {
            d.forEach((k, v) -> out.put(k, ((Number) v).longValue()));
        }
        return out;
    }
}
