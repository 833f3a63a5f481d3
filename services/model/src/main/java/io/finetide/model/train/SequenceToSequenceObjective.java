package io.finetide.model.train;

import java.util.List;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Seq2Seq;

/**
 * Sequence to sequence (an encoder-decoder) on token ids, with teacher forcing: the decoder reads the start id then
 * the target's tokens before the one it predicts. Scored by teacher-forced token accuracy on the validation pairs.
 */
record SequenceToSequenceObjective(TrainingData data, List<int[]> validationSources, List<int[]> validationTargets,
        int padId, int decoderStart, int maxLength) implements Objective {

    private static final int VALIDATION_BATCH = 32;

    static SequenceToSequenceObjective of(List<int[]> sources, List<int[]> targets, List<int[]> validationSources,
            List<int[]> validationTargets, int padId, int decoderStart, int maxLength) {
        if (sources.size() != targets.size() || validationSources.size() != validationTargets.size()) {
            throw new IllegalArgumentException("every source needs one target");
        }
        return new SequenceToSequenceObjective(TrainingData.sequenceToSequence(sources.toArray(int[][]::new), targets
                .toArray(int[][]::new),
                targets.stream().map(t -> Seq2Seq.decoderInput(t, decoderStart)).toArray(
                        int[][]::new)),
                validationSources, validationTargets, padId, decoderStart, maxLength);
    }

    @Override
    public int validationSize() {
        return validationSources.size();
    }

    @Override
    public ValidationFigures validate(TransformerGraph graph) {
        TokenAccuracy accuracy = new TokenAccuracy();
        for (int start = 0; start < validationSources.size(); start += VALIDATION_BATCH) {
            int end = Math.min(validationSources.size(), start + VALIDATION_BATCH);
            int[][] src = validationSources.subList(start, end).toArray(int[][]::new);
            int[][] dec = validationTargets.subList(start, end).stream().map(t -> Seq2Seq.decoderInput(t, decoderStart))
                    .toArray(int[][]::new);
            float[][][] p = graph.predictTokens(Batch.of(src, padId, Batch.PAD_MULTIPLE, maxLength).withDecoder(Batch
                    .of(dec, padId, Batch.PAD_MULTIPLE, maxLength)));
            for (int i = 0; i < src.length; i++) {
                int[] truth = validationTargets.get(start + i);
                for (int t = 0; t < truth.length; t++) {
                    accuracy.add(p[i][t], truth[t]);
                }
            }
        }
        return accuracy.figures();
    }
}
