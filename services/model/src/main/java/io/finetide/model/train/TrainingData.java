package io.finetide.model.train;

import java.util.Arrays;

import io.finetide.model.graph.Batch;

/**
 * Training examples encoded for the graph: token ids, and a label per example or one per position (-1: none); for an
 * encoder-decoder the decoder's inputs too, whose positions the position labels follow; for text pairs, each token's
 * segment; for a distilled student, a teacher's soft label per example (per position for a tagger's). Made by one
 * factory per shape.
 */
record TrainingData(int[][] ids, int[] labels, int[][] positionLabels, int[][] decoderIds, int[][] types,
        float[][] softLabels, float[][][] positionSoftLabels, int numLabels) {

    static TrainingData perSequence(int[][] ids, int[] labels) {
        return new TrainingData(ids, labels, null, null, null, null, null, 0);
    }

    static TrainingData pairs(int[][] ids, int[][] types, int[] labels) {
        return new TrainingData(ids, labels, null, null, types, null, null, 0);
    }

    static TrainingData perPosition(int[][] ids, int[][] positionLabels) {
        return new TrainingData(ids, null, positionLabels, null, null, null, null, 0);
    }

    static TrainingData sequenceToSequence(int[][] sources, int[][] targets, int[][] decoderIds) {
        return new TrainingData(sources, null, targets, decoderIds, null, null, null, 0);
    }

    /**
     * Single texts ({@code types} null) or pairs with a teacher's soft label each, and a hard label where one is known
     * (-1 where not).
     */
    static TrainingData distilled(int[][] ids, int[][] types, int[] labels, float[][] softLabels) {
        return new TrainingData(ids, labels, null, null, types, softLabels, null, 0);
    }

    /**
     * Pre-split words with a teacher's soft label at each word's first piece (null elsewhere), and the tags where
     * known (-1 at every position of an unlabelled sentence).
     */
    static TrainingData distilledTokens(int[][] ids, int[][] positionLabels, float[][][] positionSoftLabels,
            int numLabels) {
        return new TrainingData(ids, null, positionLabels, null, null, null, positionSoftLabels, numLabels);
    }

    /** The padded batch of examples {@code idx}. */
    Batch batch(int[] idx, int padId, int maxLength) {
        int[][] seqs = pick(ids, idx);
        Batch batch = types == null
                ? Batch.of(seqs, padId, Batch.PAD_MULTIPLE, maxLength)
                : Batch.ofPairs(seqs, pick(types, idx), padId, Batch.PAD_MULTIPLE, maxLength);
        if (decoderIds != null) {
            batch = batch.withDecoder(Batch.of(pick(decoderIds, idx), padId, Batch.PAD_MULTIPLE, maxLength));
        }
        if (softLabels != null) {
            batch = batch.withSoftLabels(Arrays.stream(idx).mapToObj(i -> softLabels[i]).toArray(float[][]::new));
        }
        if (positionSoftLabels != null) {
            batch = batch.withPositionSoftLabels(Arrays.stream(idx).mapToObj(i -> positionSoftLabels[i]).toArray(
                    float[][][]::new), numLabels);
        }
        return batch;
    }

    private static int[][] pick(int[][] rows, int[] idx) {
        return Arrays.stream(idx).mapToObj(i -> rows[i]).toArray(int[][]::new);
    }

    /** The labels of a batch: one per example, or one per padded position, flattened. */
    int[] batchLabels(int[] idx, int length) {
        if (labels != null) {
            int[] y = new int[idx.length];
            for (int i = 0; i < idx.length; i++) {
                y[i] = labels[idx[i]];
            }
            return y;
        }
        int[] y = new int[idx.length * length];
        Arrays.fill(y, -1);
        for (int i = 0; i < idx.length; i++) {
            int[] p = positionLabels[idx[i]];
            System.arraycopy(p, 0, y, i * length, p.length);
        }
        return y;
    }

    /** Every label the loss sees (for class weights). */
    int[] allLabels() {
        if (labels != null) {
            return Arrays.stream(labels).filter(y -> y >= 0).toArray();
        }
        return Arrays.stream(positionLabels).flatMapToInt(Arrays::stream).filter(y -> y >= 0).toArray();
    }
}
