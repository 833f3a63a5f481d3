package io.finetide.platform.text;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.finetide.platform.events.Hashing;

/**
 * Text fingerprints for de-duplication. {@link #normalise} folds what should not make two texts different (Unicode
 * compatibility forms, case, punctuation, runs of space); {@link #of} is a 64-bit SimHash over the normalised text's
 * word unigrams and bigrams, so texts that share most of their words differ in few bits. {@link Index} finds stored
 * fingerprints within a Hamming distance by splitting the 64 bits into {@code distance + 1} bands: two fingerprints
 * within the distance agree exactly on at least one band (pigeonhole), so only those candidates are compared.
 */
public final class SimHash {

    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private SimHash() {
    }

    public static String normalise(String text) {
        String t = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return NON_WORD.matcher(t).replaceAll(" ").strip();
    }

    /** SHA-256 of the normalised text: equal for texts that differ only in case, punctuation or spacing. */
    public static String contentHash(String text) {
        return Hashing.sha256Hex(normalise(text));
    }

    /**
     * The content hash of a text pair: each text normalised on its own, so that words cannot move between the two
     * texts and leave the hash unchanged.
     */
    public static String pairContentHash(String text, String textPair) {
        return Hashing.sha256Hex(normalise(text) + "\u0000" + normalise(textPair));
    }

    public static long of(String text) {
        String[] words = normalise(text).split(" ");
        List<String> features = new ArrayList<>();
        for (int i = 0; i < words.length; i++) {
            if (!words[i].isEmpty()) {
                features.add(words[i]);
                if (i + 1 < words.length) {
                    features.add(words[i] + " " + words[i + 1]);
                }
            }
        }
        int[] votes = new int[64];
        for (String f : features) {
            long h = fnv1a64(f);
            for (int b = 0; b < 64; b++) {
                votes[b] += ((h >>> b) & 1) == 1 ? 1 : -1;
            }
        }
        long fingerprint = 0;
        for (int b = 0; b < 64; b++) {
            if (votes[b] > 0) {
                fingerprint |= 1L << b;
            }
        }
        return fingerprint;
    }

    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    /** FNV-1a, then a final mix so that nearby strings spread over all bits. */
    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= c & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Fingerprints of one task, searchable within a fixed Hamming distance. Not thread-safe. */
    public static final class Index {

        private final int maxDistance;
        private final int bands;
        private final Map<Long, List<Long>> buckets = new HashMap<>();
        private final Map<Long, String> ids = new HashMap<>();

        public Index(int maxDistance) {
            if (maxDistance < 1 || maxDistance > 15) {
                throw new IllegalArgumentException("distance must be in [1, 15]");
            }
            this.maxDistance = maxDistance;
            this.bands = maxDistance + 1;
        }

        /** The id of a stored fingerprint within the distance of {@code fingerprint}, or null. */
        public String nearest(long fingerprint) {
            for (int b = 0; b < bands; b++) {
                for (long other : buckets.getOrDefault(key(b, fingerprint), List.of())) {
                    if (distance(other, fingerprint) <= maxDistance) {
                        return ids.get(other);
                    }
                }
            }
            return null;
        }

        public void add(long fingerprint, String id) {
            if (ids.putIfAbsent(fingerprint, id) != null) {
                return;
            }
            for (int b = 0; b < bands; b++) {
                buckets.computeIfAbsent(key(b, fingerprint), k -> new ArrayList<>(1)).add(fingerprint);
            }
        }

        public int size() {
            return ids.size();
        }

        private long key(int band, long fingerprint) {
            int width = 64 / bands;
            int from = band * width;
            int to = band == bands - 1 ? 64 : from + width;
            long mask = to - from == 64 ? -1L : ((1L << (to - from)) - 1);
            return ((long) band << 58) ^ ((fingerprint >>> from) & mask) * 0x9E3779B97F4A7C15L;
        }
    }
}
