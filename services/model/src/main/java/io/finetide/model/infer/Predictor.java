package io.finetide.model.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.tokenizer.WordWindows;

/**
 * Batched prediction over many inputs, answered in input order: sorted by length and cut into batches of one padded
 * length (up to {@value #BATCH_SIZE}), so that no sequence is padded beyond the next multiple of
 * {@link Batch#PAD_MULTIPLE}: padding is compute spent on nothing, and a session run costs little next to a few
 * tokens of a real model. A sequence thus runs in the same shape as it would alone. What validation during training
 * and serving (with its dynamic batches) both use.
 */
public final class Predictor {

    private static final int BATCH_SIZE = 64;

    private Predictor() {
    }

    /** Probabilities for every sequence, in input order, batched by length. */
    public static float[][] probabilities(TransformerGraph graph, int[][] ids, int padId, int maxLength) {
        return probabilities(graph, ids, null, padId, maxLength);
    }

    /** Probabilities for every text pair, in input order, batched by length. */
    public static float[][] pairProbabilities(TransformerGraph graph, List<Tokenizer.Pair> pairs, int padId,
            int maxLength) {
        return probabilities(graph, pairs.stream().map(Tokenizer.Pair::ids).toArray(int[][]::new), pairs.stream().map(
                Tokenizer.Pair::typeIds).toArray(int[][]::new), padId, maxLength);
    }

    /** @param types segment ids of text pairs, or null for single texts */
    private static float[][] probabilities(TransformerGraph graph, int[][] ids, int[][] types, int padId,
            int maxLength) {
        float[][] out = new float[ids.length][];
        Integer[] order = byLength(ids.length, i -> ids[i].length);
        for (int start = 0, n; start < order.length; start += n) {
            n = bucket(order, start, i -> ids[i].length, maxLength);
            int[][] seqs = new int[n][];
            int[][] segments = types == null ? null : new int[n][];
            for (int i = 0; i < n; i++) {
                seqs[i] = ids[order[start + i]];
                if (types != null) {
                    segments[i] = types[order[start + i]];
                }
            }
            float[][] p = graph.predict(types == null
                    ? Batch.of(seqs, padId, Batch.PAD_MULTIPLE, maxLength)
                    : Batch.ofPairs(seqs, segments, padId, Batch.PAD_MULTIPLE, maxLength));
            for (int i = 0; i < n; i++) {
                out[order[start + i]] = p[i];
            }
        }
        return out;
    }

    /**
     * Label probabilities of every word (at its first word piece; null for a word cut off by truncation), in input
     * order, batched by length.
     */
    public static List<float[][]> wordProbabilities(TransformerGraph graph, List<Tokenizer.Words> words, int padId,
            int maxLength) {
        List<float[][]> out = new ArrayList<>(Collections.nCopies(words.size(), null));
        Integer[] order = byLength(words.size(), i -> words.get(i).ids().length);
        for (int start = 0, n; start < order.length; start += n) {
            n = bucket(order, start, i -> words.get(i).ids().length, maxLength);
            int[][] seqs = new int[n][];
            for (int i = 0; i < n; i++) {
                seqs[i] = words.get(order[start + i]).ids();
            }
            float[][][] p = graph.predictTokens(Batch.of(seqs, padId, Batch.PAD_MULTIPLE, maxLength));
            for (int i = 0; i < n; i++) {
                Tokenizer.Words w = words.get(order[start + i]);
                float[][] perWord = new float[w.count()][];
                for (int j = 0; j < w.ids().length; j++) {
                    int word = w.wordIds()[j];
                    if (word >= 0 && perWord[word] == null) {
                        perWord[word] = p[i][j];
                    }
                }
                out.set(order[start + i], perWord);
            }
        }
        return out;
    }

    /**
     * Each word's tag probabilities of texts however long: {@link #wordProbabilities} over each text's
     * {@link WordWindows}, every word read in the window that answers for it (null only for a word without pieces).
     *
     * @param whole each text's encoding, uncut ({@link Tokenizer#encodeWordsWhole})
     */
    public static List<float[][]> wordProbabilitiesInWindows(TransformerGraph graph, List<Tokenizer.Words> whole,
            int padId, int maxLength) {
        List<WordWindows> windowed = whole.stream().map(w -> WordWindows.of(w, maxLength)).toList();
        List<float[][]> read = wordProbabilities(graph, windowed.stream().flatMap(w -> w.windows().stream())
                .toList(), padId, maxLength);
        List<float[][]> out = new ArrayList<>(whole.size());
        int first = 0;
        for (WordWindows w : windowed) {
            float[][] perWord = new float[w.owner().length][];
            for (int word = 0; word < perWord.length; word++) {
                perWord[word] = w.owner()[word] < 0 ? null : read.get(first + w.owner()[word])[word];
            }
            out.add(perWord);
            first += w.windows().size();
        }
        return out;
    }

    /** How many sequences from {@code start} of the length order share its padded length (at most the batch size). */
    private static int bucket(Integer[] order, int start, java.util.function.IntUnaryOperator length, int maxLength) {
        int padded = Batch.paddedLength(length.applyAsInt(order[start]), Batch.PAD_MULTIPLE, maxLength);
        int n = 1;
        while (n < BATCH_SIZE && start + n < order.length && Batch.paddedLength(length.applyAsInt(order[start + n]),
                Batch.PAD_MULTIPLE, maxLength) == padded) {
            n++;
        }
        return n;
    }

    private static Integer[] byLength(int count, java.util.function.IntUnaryOperator length) {
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(length::applyAsInt));
        return order;
    }

    /** The most likely tag of each word; "O" for a word without probabilities (cut off by truncation). */
    public static List<String> argMaxTags(float[][] perWord, List<String> tags) {
        List<String> out = new ArrayList<>();
        for (float[] p : perWord) {
            out.add(p == null ? "O" : tags.get(argMax(p)));
        }
        return out;
    }

    public static int argMax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
