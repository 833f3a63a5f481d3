package io.finetide.model.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A tagged text longer than the model reads, as overlapping windows: each at most {@code maxLength} positions, framed by
 * the text's own opening and closing special tokens, the next starting half a window later, so that every word is read
 * with context on both sides; each word is answered for by the window that reads its first piece furthest from an
 * edge (the sliding window of Hugging Face's question answering). A text that fits is one window, the encoding
 * itself.
 *
 * @param windows the windows, each an encoding of all the text's words (those outside it have no positions)
 * @param owner   per word, the window whose reading of it counts; -1 for a word without pieces
 */
public record WordWindows(List<Tokenizer.Words> windows, int[] owner) {

    /** {@code whole} (the encoding of every word, uncut) in windows of at most {@code maxLength} positions. */
    public static WordWindows of(Tokenizer.Words whole, int maxLength) {
        int n = whole.ids().length;
        int[] wordIds = whole.wordIds();
        int lead = 0;
        while (lead < n && wordIds[lead] < 0) {
            lead++;
        }
        int trail = 0;
        while (trail < n - lead && wordIds[n - 1 - trail] < 0) {
            trail++;
        }
        int[] firstPiece = firstPieces(whole);
        if (n <= maxLength) {
            int[] owner = new int[whole.count()];
            for (int w = 0; w < owner.length; w++) {
                owner[w] = firstPiece[w] < 0 ? -1 : 0;
            }
            return new WordWindows(List.of(whole), owner);
        }
        int span = maxLength - lead - trail;
        if (span < 2) {
            throw new IllegalArgumentException("a window of " + maxLength + " positions leaves fewer than 2 for words");
        }
        int stride = span / 2;
        int bodyEnd = n - trail;
        List<int[]> bounds = new ArrayList<>();
        for (int start = lead;; start += stride) {
            int end = Math.min(start + span, bodyEnd);
            bounds.add(new int[]{start, end});
            if (end == bodyEnd) {
                break;
            }
        }
        List<Tokenizer.Words> windows = new ArrayList<>(bounds.size());
        for (int[] b : bounds) {
            windows.add(slice(whole, lead, trail, b[0], b[1]));
        }
        int[] owner = new int[whole.count()];
        for (int w = 0; w < owner.length; w++) {
            owner[w] = -1;
            int best = -1;
            int p = firstPiece[w];
            for (int k = 0; p >= 0 && k < bounds.size(); k++) {
                int start = bounds.get(k)[0];
                int end = bounds.get(k)[1];
                if (p >= start && p < end && Math.min(p - start, end - 1 - p) > best) {
                    best = Math.min(p - start, end - 1 - p);
                    owner[w] = k;
                }
            }
        }
        return new WordWindows(windows, owner);
    }

    /** Positions [start, end) of the body between the {@code lead} opening and {@code trail} closing special tokens. */
    private static Tokenizer.Words slice(Tokenizer.Words whole, int lead, int trail, int start, int end) {
        int n = whole.ids().length;
        int length = lead + (end - start) + trail;
        int[] ids = new int[length];
        int[] wordIds = new int[length];
        System.arraycopy(whole.ids(), 0, ids, 0, lead);
        System.arraycopy(whole.wordIds(), 0, wordIds, 0, lead);
        System.arraycopy(whole.ids(), start, ids, lead, end - start);
        System.arraycopy(whole.wordIds(), start, wordIds, lead, end - start);
        System.arraycopy(whole.ids(), n - trail, ids, lead + end - start, trail);
        System.arraycopy(whole.wordIds(), n - trail, wordIds, lead + end - start, trail);
        return new Tokenizer.Words(ids, wordIds, whole.count());
    }

    /** Per word, the position of its first piece; -1 for a word without pieces. */
    private static int[] firstPieces(Tokenizer.Words whole) {
        int[] first = new int[whole.count()];
        java.util.Arrays.fill(first, -1);
        for (int i = 0; i < whole.ids().length; i++) {
            if (whole.firstPiece(i) && first[whole.wordIds()[i]] < 0) {
                first[whole.wordIds()[i]] = i;
            }
        }
        return first;
    }
}
