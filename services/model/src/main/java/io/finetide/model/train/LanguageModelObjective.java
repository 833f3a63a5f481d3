package io.finetide.model.train;

import java.util.Arrays;
import java.util.List;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * Language modelling (a decoder with the language-model head): every position learns the next token of its text.
 * Scored by next-token accuracy on the validation texts.
 */
record LanguageModelObjective(TrainingData data, int[][] validationIds, int padId, int maxLength)
        implements
            Objective {

    private static final int VALIDATION_BATCH = 16;

    static LanguageModelObjective of(Tokenizer tokenizer, List<String> train, List<String> validation,
            int maxLength) {
        int[][] ids = tokenizer.encodeAll(train);
        int[][] next = new int[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            next[i] = nextTokens(ids[i]);
        }
        return new LanguageModelObjective(TrainingData.perPosition(ids, next), tokenizer.encodeAll(validation),
                tokenizer.padId(), maxLength);
    }

    /** Position t's label is token t + 1; the last position has none. */
    static int[] nextTokens(int[] ids) {
        int[] out = new int[ids.length];
        for (int t = 0; t < ids.length; t++) {
            out[t] = t + 1 < ids.length ? ids[t + 1] : -1;
        }
        return out;
    }

    @Override
    public int validationSize() {
        return validationIds.length;
    }

    @Override
    public ValidationFigures validate(TransformerGraph graph) {
        TokenAccuracy accuracy = new TokenAccuracy();
        for (int start = 0; start < validationIds.length; start += VALIDATION_BATCH) {
            int[][] seqs = Arrays.copyOfRange(validationIds, start, Math.min(validationIds.length, start
                    + VALIDATION_BATCH));
            float[][][] p = graph.predictTokens(Batch.of(seqs, padId, Batch.PAD_MULTIPLE, maxLength));
            for (int i = 0; i < seqs.length; i++) {
                for (int t = 0; t + 1 < seqs[i].length; t++) {
                    accuracy.add(p[i][t], seqs[i][t + 1]);
                }
            }
        }
        return accuracy.figures();
    }
}
