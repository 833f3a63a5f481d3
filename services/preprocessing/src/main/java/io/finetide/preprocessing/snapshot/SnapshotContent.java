package io.finetide.preprocessing.snapshot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Hashing;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.PreparedExampleRecord;
import io.finetide.proto.v1.Split;

/**
 * The content of one snapshot, decided by a rule over the prepared examples in sequence order, so that it can be
 * built again at any time: every example with {@code seq <= cut}, except that an incremental snapshot (replay
 * fraction above 0, with a parent) keeps of the older training examples ({@code seq <= parentCut}) only a sample
 * chosen by a hash of snapshot and example id. Test examples are marked golden (fixed at preparation) or recent (the
 * newest {@code recentTestSize} of the others). Also gathers the snapshot's statistics and source offsets.
 */
public final class SnapshotContent {

    /** Token-length bins (full length, special tokens included). */
    static final int[] LENGTH_EDGES = {8, 16, 32, 64, 128, 256};
    static final int TOP_NGRAMS = 10;
    private static final Pattern WORDS = Pattern.compile("[^\\p{L}\\p{N}']+");

    private final String snapshotId;
    private final long cut;
    private final long parentCut;
    private final double replayFraction;
    private final int recentTestSize;

    private final List<SnapshotFile.Row> rows = new ArrayList<>();
    private final Deque<SnapshotFile.Row> recent = new ArrayDeque<>();
    private final Map<String, Long> labelCounts = new TreeMap<>();
    private final Map<String, Long> trainLengths = new LinkedHashMap<>();
    /** Examples of every split by token count (capped at the measured length). */
    private final long[] lengths = new long[io.finetide.preprocessing.preparation.Tokenizers.MEASURE_LENGTH + 1];
    private final Map<String, long[]> sources = new TreeMap<>();
    private final Map<String, Long> unigrams = new HashMap<>();
    private final Map<String, Long> bigrams = new HashMap<>();
    private long train, validation, test, golden, fresh, replayed, unknown, content;

    public SnapshotContent(String snapshotId, long cut, long parentCut, double replayFraction, int recentTestSize) {
        this.snapshotId = snapshotId;
        this.cut = cut;
        this.parentCut = parentCut;
        this.replayFraction = replayFraction;
        this.recentTestSize = recentTestSize;
        for (String bin : lengthBins()) {
            trainLengths.put(bin, 0L);
        }
    }

    public boolean incremental() {
        return replayFraction > 0 && parentCut > 0;
    }

    /** Offers the next example in sequence order; returns whether the snapshot holds it. */
    public boolean offer(PreparedExampleRecord r) {
        if (r.seq() > cut) {
            return false;
        }
        Split split = Split.valueOf(r.split());
        if (split == Split.TRAIN) {
            boolean isNew = r.seq() > parentCut;
            if (!isNew && incremental() && Hashing.unitInterval(snapshotId + "\u0000" + r.id()) >= replayFraction) {
                return false;
            }
            if (isNew) {
                fresh++;
            } else if (incremental()) {
                replayed++;
            }
            train++;
            trainLengths.merge(lengthBin(r.tokenCount()), 1L, Long::sum);
            ngrams(r.cleanText());
        } else if (split == Split.VALIDATION) {
            validation++;
        } else {
            test++;
        }
        if (r.tags().isEmpty()) {
            labelCounts.merge(split.name() + "/" + r.label(), 1L, Long::sum);
        } else {
            // A tagged example counts its entities, by type (each B- tag starts one).
            r.tags().stream().filter(tag -> tag.startsWith("B-")).forEach(tag -> labelCounts.merge(split.name()
                    + "/" + tag.substring(2), 1L, Long::sum));
        }
        lengths[Math.min(r.tokenCount(), lengths.length - 1)]++;
        unknown += r.unknownTokens();
        content += r.contentTokens();
        long[] s = sources.computeIfAbsent(r.sourceTopic() + "\u0000" + r.sourcePartition(), k -> new long[]{
                Long.MAX_VALUE, Long.MIN_VALUE, 0});
        s[0] = Math.min(s[0], r.sourceOffset());
        s[1] = Math.max(s[1], r.sourceOffset());
        s[2]++;
        if (split == Split.TEST && r.golden()) {
            golden++;
            rows.add(row(r, SnapshotFile.GOLDEN));
        } else if (split == Split.TEST) {
            recent.addLast(row(r, SnapshotFile.RECENT));
            if (recent.size() > recentTestSize) {
                SnapshotFile.Row old = recent.removeFirst();
                rows.add(old.inSubset(""));
            }
        } else {
            rows.add(row(r, ""));
        }
        return true;
    }

    private static SnapshotFile.Row row(PreparedExampleRecord r, String subset) {
        return new SnapshotFile.Row(r.id(), r.cleanText(), r.cleanTextPair(), r.label(), r.completion(), r.split(),
                subset, r
                        .words(),
                r.tags(), r.metadata());
    }

    public List<SnapshotFile.Row> rows() {
        List<SnapshotFile.Row> all = new ArrayList<>(rows);
        all.addAll(recent);
        return all;
    }

    public byte[] file() {
        return SnapshotFile.write(rows());
    }

    public long train() {
        return train;
    }

    public long validation() {
        return validation;
    }

    public long test() {
        return test;
    }

    public long golden() {
        return golden;
    }

    public long recent() {
        return recent.size();
    }

    /** Training examples above the parent's cut. */
    public long fresh() {
        return fresh;
    }

    public long replayed() {
        return replayed;
    }

    public Map<String, Long> labelCounts() {
        return labelCounts;
    }

    /** {@code lengths()[n]}: the held examples (all splits) {@code n} tokens long, special tokens included. */
    public long[] lengths() {
        return lengths.clone();
    }

    public Map<String, Long> trainLengths() {
        return trainLengths;
    }

    public double unknownTokenRate() {
        return content == 0 ? 0 : (double) unknown / content;
    }

    /** The most frequent training word unigrams and bigrams, as {@code "words:count"}. */
    public List<String> topNgrams() {
        List<String> out = new ArrayList<>(top(unigrams));
        out.addAll(top(bigrams));
        return out;
    }

    public List<DatasetSnapshotRecord.Source> sources() {
        List<DatasetSnapshotRecord.Source> out = new ArrayList<>();
        sources.forEach((k, s) -> {
            int sep = k.indexOf('\u0000');
            out.add(new DatasetSnapshotRecord.Source(k.substring(0, sep), Integer.parseInt(k.substring(sep + 1)),
                    s[0], s[1], s[2]));
        });
        return out;
    }

    public static List<String> lengthBins() {
        List<String> bins = new ArrayList<>();
        int low = 1;
        for (int edge : LENGTH_EDGES) {
            bins.add(low + "-" + edge);
            low = edge + 1;
        }
        bins.add(low + "+");
        return bins;
    }

    public static String lengthBin(int tokens) {
        int low = 1;
        for (int edge : LENGTH_EDGES) {
            if (tokens <= edge) {
                return low + "-" + edge;
            }
            low = edge + 1;
        }
        return low + "+";
    }

    private void ngrams(String text) {
        String previous = null;
        for (String w : WORDS.split(text.toLowerCase(Locale.ROOT))) {
            if (w.isEmpty()) {
                continue;
            }
            unigrams.merge(w, 1L, Long::sum);
            if (previous != null) {
                bigrams.merge(previous + " " + w, 1L, Long::sum);
            }
            previous = w;
        }
    }

    private static List<String> top(Map<String, Long> counts) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(
                Map.Entry.comparingByKey(Comparator.naturalOrder()))).limit(TOP_NGRAMS).map(e -> e.getKey() + ":"
                        + e
                                .getValue())
                .toList();
    }
}
