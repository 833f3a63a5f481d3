package io.finetide.model.graph;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Token ids padded to the longest sequence of the batch (dynamic padding), with the matching attention mask; for an
 * encoder-decoder, also the decoder's inputs ({@link #withDecoder}).
 */
public final class Batch {

    /** Sequences are padded to a multiple of this: fewer distinct shapes for TensorFlow to plan. */
    public static final int PAD_MULTIPLE = 8;

    private final int size;
    private final int length;
    private final int[] ids;
    private final float[] mask;
    /** Segment ids (token types) of text pairs; null for single texts (all 0). */
    private final int[] types;
    private final Batch decoder;
    /**
     * A teacher's probabilities for each row (each position of each row for a tagger's: zeros where it gives none),
     * for a distilling graph; null otherwise.
     */
    private final float[][] softLabels;

    private Batch(int size, int length, int[] ids, float[] mask, int[] types, Batch decoder, float[][] softLabels) {
        this.size = size;
        this.length = length;
        this.ids = ids;
        this.mask = mask;
        this.types = types;
        this.decoder = decoder;
        this.softLabels = softLabels;
    }

    /** Text pairs: ids as {@link #of}, and each token's segment (padding gets 0). */
    public static Batch ofPairs(int[][] sequences, int[][] typeIds, int padId, int padMultiple, int maxLength) {
        Batch b = of(sequences, padId, padMultiple, maxLength);
        int[] types = new int[b.ids.length];
        for (int i = 0; i < sequences.length; i++) {
            if (typeIds[i].length != sequences[i].length) {
                throw new IllegalArgumentException("row " + i + " has " + sequences[i].length + " ids and "
                        + typeIds[i].length + " token types");
            }
            System.arraycopy(typeIds[i], 0, types, i * b.length, typeIds[i].length);
        }
        return new Batch(b.size, b.length, b.ids, b.mask, types, null, null);
    }

    /** This batch as an encoder-decoder's source, with {@code decoder} as its decoder inputs (as many rows). */
    public Batch withDecoder(Batch decoder) {
        if (decoder.size != size || decoder.decoder != null) {
            throw new IllegalArgumentException("the decoder inputs need one plain row per source row: " + size
                    + " sources, " + decoder.size + " decoder rows");
        }
        return new Batch(size, length, ids, mask, types, decoder, softLabels);
    }

    /**
     * This batch with a teacher's probabilities for each row (at the distillation's temperature), which a distilling
     * graph learns beside the labels.
     */
    public Batch withSoftLabels(float[][] probabilities) {
        if (probabilities.length != size || decoder != null) {
            throw new IllegalArgumentException("soft labels are one row per sequence of a classifier's batch: " + size
                    + " rows, " + probabilities.length + " soft labels");
        }
        return new Batch(size, length, ids, mask, types, null, probabilities);
    }

    /**
     * This batch with a teacher's probabilities for each position of each row, a tagger's soft labels: {@code
     * positions[i][j]} for row i's position j, null where the teacher gives none (a word's other pieces, special tokens,
     * words cut off), which weigh nothing in the loss; positions past a row's array are padding.
     */
    public Batch withPositionSoftLabels(float[][][] positions, int numLabels) {
        if (positions.length != size || decoder != null) {
            throw new IllegalArgumentException("position soft labels are one array per sequence of a tagger's batch: "
                    + size + " rows, " + positions.length + " arrays");
        }
        float[][] rows = new float[size * length][];
        float[] none = new float[numLabels];
        for (int i = 0; i < size; i++) {
            if (positions[i].length > length) {
                throw new IllegalArgumentException("row " + i + " has soft labels for " + positions[i].length
                        + " positions, the batch " + length);
            }
            for (int j = 0; j < length; j++) {
                float[] p = j < positions[i].length ? positions[i][j] : null;
                rows[i * length + j] = p == null ? none : p;
            }
        }
        return new Batch(size, length, ids, mask, types, null, rows);
    }

    /** The soft labels as a [rows, labels] tensor (a tagger's: a row per position), or null without them. */
    TFloat32 softLabelsTensor() {
        if (softLabels == null) {
            return null;
        }
        int width = softLabels[0].length;
        int rows = softLabels.length;
        float[] flat = new float[rows * width];
        for (int i = 0; i < rows; i++) {
            if (softLabels[i].length != width) {
                throw new IllegalArgumentException("soft label " + i + " has " + softLabels[i].length + " values, "
                        + "not " + width);
            }
            System.arraycopy(softLabels[i], 0, flat, i * width, width);
        }
        return TFloat32.tensorOf(Shape.of(rows, width), DataBuffers.of(flat, true, false));
    }

    /** The decoder's inputs, or null. */
    public Batch decoder() {
        return decoder;
    }

    /** The number of positions that get a label or prediction each: the decoder's length when there is one. */
    public int outputLength() {
        return decoder == null ? length : decoder.length;
    }

    /**
     * @param padMultiple round the padded length up to a multiple of this (fewer distinct shapes)
     * @param maxLength never pad beyond this (the model's position limit)
     */
    public static Batch of(int[][] sequences, int padId, int padMultiple, int maxLength) {
        int max = 1;
        for (int[] s : sequences) {
            max = Math.max(max, s.length);
        }
        int length = paddedLength(max, padMultiple, maxLength);
        if (max > maxLength) {
            throw new IllegalArgumentException("sequence of " + max + " tokens exceeds " + maxLength);
        }
        int[] ids = new int[sequences.length * length];
        float[] mask = new float[sequences.length * length];
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < sequences.length; i++) {
            System.arraycopy(sequences[i], 0, ids, i * length, sequences[i].length);
            java.util.Arrays.fill(mask, i * length, i * length + sequences[i].length, 1f);
        }
        return new Batch(sequences.length, length, ids, mask, null, null, null);
    }

    /** The length a batch whose longest sequence has {@code tokens} tokens is padded to. */
    public static int paddedLength(int tokens, int padMultiple, int maxLength) {
        return Math.min(maxLength, ((Math.max(1, tokens) + padMultiple - 1) / padMultiple) * padMultiple);
    }

    public int size() {
        return size;
    }

    public int length() {
        return length;
    }

    TInt32 idsTensor() {
        return TInt32.tensorOf(Shape.of(size, length), DataBuffers.of(ids, true, false));
    }

    /** Token types, or null for single texts (the graph's default: all 0). */
    TInt32 typesTensor() {
        return types == null ? null : TInt32.tensorOf(Shape.of(size, length), DataBuffers.of(types, true, false));
    }

    TFloat32 maskTensor() {
        return TFloat32.tensorOf(Shape.of(size, length), DataBuffers.of(mask, true, false));
    }
}
