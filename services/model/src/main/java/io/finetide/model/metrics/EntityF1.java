package io.finetide.model.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Entity-level precision, recall and F1 for BIO tagging, with the chunking of seqeval's default mode (the CoNLL
 * {@code conlleval} rules): an entity starts at a B- tag, or at an I- tag whose predecessor is O or of another type,
 * and ends before the next tag that does not continue it. An entity counts as found only with the same type, start and
 * end. Micro averages over all entities; per type as well.
 */
public record EntityF1(double precision, double recall, double f1, long trueEntities, long predictedEntities,
        long correct, Map<String, PerType> perType) {

    public record PerType(double precision, double recall, double f1, long support) {
    }

    /** One entity: type and the token span [start, end). */
    public record Chunk(String type, int start, int end) {
    }

    public static EntityF1 of(List<List<String>> truth, List<List<String>> predicted) {
        if (truth.size() != predicted.size()) {
            throw new IllegalArgumentException(truth.size() + " true sequences but " + predicted.size()
                    + " predicted");
        }
        Map<String, long[]> counts = new TreeMap<>(); // type -> {true, predicted, correct}
        long t = 0, p = 0, c = 0;
        for (int i = 0; i < truth.size(); i++) {
            if (truth.get(i).size() != predicted.get(i).size()) {
                throw new IllegalArgumentException("sequence " + i + " has " + truth.get(i).size()
                        + " true tags but " + predicted.get(i).size() + " predicted");
            }
            List<Chunk> gold = chunks(truth.get(i));
            List<Chunk> guess = chunks(predicted.get(i));
            Set<Chunk> goldSet = new HashSet<>(gold);
            for (Chunk g : gold) {
                counts.computeIfAbsent(g.type(), k -> new long[3])[0]++;
            }
            for (Chunk g : guess) {
                long[] k = counts.computeIfAbsent(g.type(), x -> new long[3]);
                k[1]++;
                if (goldSet.contains(g)) {
                    k[2]++;
                    c++;
                }
            }
            t += gold.size();
            p += guess.size();
        }
        Map<String, PerType> perType = new TreeMap<>();
        counts.forEach((type, k) -> {
            double pr = k[1] == 0 ? 0 : k[2] / (double) k[1];
            double re = k[0] == 0 ? 0 : k[2] / (double) k[0];
            perType.put(type, new PerType(pr, re, f1(pr, re), k[0]));
        });
        double precision = p == 0 ? 0 : c / (double) p;
        double recall = t == 0 ? 0 : c / (double) t;
        return new EntityF1(precision, recall, f1(precision, recall), t, p, c, perType);
    }

    private static double f1(double p, double r) {
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** The entities of one tag sequence, by the conlleval rules. */
    public static List<Chunk> chunks(List<String> tags) {
        List<Chunk> out = new ArrayList<>();
        String type = null;
        int start = -1;
        for (int i = 0; i <= tags.size(); i++) {
            String tag = i < tags.size() ? tags.get(i) : "O";
            char prefix = tag.length() >= 2 && tag.charAt(1) == '-' ? tag.charAt(0) : 'O';
            String tagType = prefix == 'O' ? null : tag.substring(2);
            boolean continues = prefix == 'I' && type != null && type.equals(tagType);
            if (type != null && !continues) {
                out.add(new Chunk(type, start, i));
                type = null;
            }
            if ((prefix == 'B' || prefix == 'I') && !continues) {
                type = tagType;
                start = i;
            }
        }
        return out;
    }
}
