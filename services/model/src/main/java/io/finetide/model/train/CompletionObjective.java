package io.finetide.model.train;

import java.util.Arrays;
import java.util.List;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * Completion (a decoder with the language-model head): the loss is on the completion only. A position learns the
 * next token only where that token is the completion's, so the model learns to answer prompts rather than to write
 * them. Scored by next-token accuracy over the validation completions (its loss is their mean negative
 * log-likelihood, the log of their perplexity). Language modelling is the case of a one-token prompt: every
 * position after the first token learns the token that follows it.
 */
record CompletionObjective(TrainingData data, int[][] validationIds, int[] validationPromptLengths, int padId,
        int maxLength) implements Objective {

    private static final int VALIDATION_BATCH = 16;

    static CompletionObjective of(List<Completion> train, List<Completion> validation, int padId, int maxLength) {
        int[][] ids = new int[train.size()][];
        int[][] next = new int[train.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = train.get(i).joined(maxLength);
            next[i] = completionTokens(ids[i], train.get(i).promptLength(maxLength));
        }
        int[][] validationIds = new int[validation.size()][];
        int[] promptLengths = new int[validation.size()];
        for (int i = 0; i < validationIds.length; i++) {
            validationIds[i] = validation.get(i).joined(maxLength);
            promptLengths[i] = validation.get(i).promptLength(maxLength);
        }
        return new CompletionObjective(TrainingData.perPosition(ids, next), validationIds, promptLengths, padId,
                maxLength);
    }

    /** Language modelling of {@code texts}: each whole text is learned. */
    static CompletionObjective languageModel(Tokenizer tokenizer, List<String> train, List<String> validation,
            int maxLength) {
        int[][] ids = tokenizer.encodeAll(train);
        int[][] next = new int[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            next[i] = completionTokens(ids[i], 1);
        }
        int[][] validationIds = tokenizer.encodeAll(validation);
        int[] promptLengths = new int[validationIds.length];
        Arrays.fill(promptLengths, 1);
        return new CompletionObjective(TrainingData.perPosition(ids, next), validationIds, promptLengths, tokenizer
                .padId(), maxLength);
    }

    /** Position t's label is token t + 1 when that token is the completion's; -1 (no loss) otherwise. */
    static int[] completionTokens(int[] ids, int promptLength) {
        int[] out = new int[ids.length];
        for (int t = 0; t < ids.length; t++) {
            out[t] = t + 1 < ids.length && t + 1 >= promptLength ? ids[t + 1] : -1;
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
            int end = Math.min(validationIds.length, start + VALIDATION_BATCH);
            int[][] seqs = Arrays.copyOfRange(validationIds, start, end);
            float[][][] p = graph.predictTokens(Batch.of(seqs, padId, Batch.PAD_MULTIPLE, maxLength));
            for (int i = 0; i < seqs.length; i++) {
                for (int t = validationPromptLengths[start + i] - 1; t + 1 < seqs[i].length; t++) {
                    accuracy.add(p[i][t], seqs[i][t + 1]);
                }
            }
        }
        return accuracy.figures();
    }
}
