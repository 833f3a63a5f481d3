package io.finetide.model.train;

import java.util.List;

import io.finetide.model.heads.DistillationLoss;
import io.finetide.model.infer.LabelWords;
import io.finetide.model.privacy.SubsampledGaussian;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Fine-tunes a Transformer on one kind of task. Each entry point checks that the model fits the task, builds the
 * task's {@link Objective} and runs the one {@link TrainingLoop}: AdamW or SGD with warmup and decay, global-norm
 * clipping, gradient accumulation, the parameters a {@link Strategy} names, validation after every epoch, early
 * stopping on the {@link TrainingConfig.Selection selected} figure, the best epoch's weights, and checkpoints that
 * resume a killed run exactly.
 */
public final class Trainer {

    /**
     * @param privacySpent with DP-SGD: what the run spent (sampling rate, noise multiplier, updates taken), for the
     *                     task's accountant; null otherwise
     */
    public record Result(Weights weights, List<TrainingListener.Epoch> history, int bestEpoch, long steps,
            long millis, SubsampledGaussian privacySpent) {
        public TrainingListener.Epoch best() {
            return history.get(bestEpoch - 1);
        }
    }

    private Trainer() {
    }

    public static Result train(TransformerConfig config, Weights initial, Tokenizer tokenizer,
            List<LabelledText> train, List<LabelledText> validation, TrainingConfig tc, TrainingListener listener) {
        return train(config, initial, tokenizer, train, validation, tc, Strategy.full(), listener);
    }

    public static Result train(TransformerConfig config, Weights initial, Tokenizer tokenizer,
            List<LabelledText> train, List<LabelledText> validation, TrainingConfig tc, Strategy strategy,
            TrainingListener listener) {
        return train(config, initial, tokenizer, train, validation, tc, strategy, listener, Checkpoint.Store.NONE);
    }

    /**
     * Sequence classification of single texts, resuming from {@code checkpoints.latest()} when there is one (of this
     * same run) and saving a checkpoint every {@code checkpoints.everySteps()} updates and at each epoch's end.
     *
     * @throws ForeignCheckpointException when the store holds another run's checkpoint
     */
    public static Result train(TransformerConfig config, Weights initial, Tokenizer tokenizer,
            List<LabelledText> train, List<LabelledText> validation, TrainingConfig tc, Strategy strategy,
            TrainingListener listener, Checkpoint.Store checkpoints) {
        if (config.perPosition()) {
            throw new IllegalArgumentException("a token-classification model trains on tagged words: trainTokens");
        }
        int maxLength = maxLength(config, tokenizer);
        return TrainingLoop.fit(config, initial, SequenceObjective.of(tokenizer, train, validation, maxLength, config
                .numLabels()), tokenizer.padId(), maxLength, tc, strategy, listener, checkpoints);
    }

    /**
     * Sequence classification of text pairs: each pair is joined by the tokenizer's template with segment ids 0 and 1
     * ({@link Tokenizer#encodePair}).
     */
    public static Result trainPairs(TransformerConfig config, Weights initial, Tokenizer tokenizer,
            List<LabelledPair> train, List<LabelledPair> validation, TrainingConfig tc, Strategy strategy,
            TrainingListener listener, Checkpoint.Store checkpoints) {
        if (config.perPosition() || config.decoder() || config.encoderDecoder()) {
            throw new IllegalArgumentException("text pairs train an encoder's sequence classifier");
        }
        int maxLength = maxLength(config, tokenizer);
        return TrainingLoop.fit(config, initial, PairObjective.of(tokenizer, train, validation, maxLength, config
                .numLabels()), tokenizer.padId(), maxLength, tc, strategy, listener, checkpoints);
    }

    /**
     * Token classification (BIO tagging) on pre-split words. The epoch's score is entity-level F1 on the validation
     * set (seqeval's definition).
     *
     * @param tags the model's labels, in order (tag names like {@code B-person}, {@code O})
     */
    public static Result trainTokens(TransformerConfig config, Weights initial, Tokenizer tokenizer,
            List<TaggedWords> train, List<TaggedWords> validation, List<String> tags, TrainingConfig tc,
            Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
        if (!config.tokenClassification() || tags.size() != config.numLabels()) {
            throw new IllegalArgumentException("a token-classification model with " + tags.size()
                    + " labels is needed");
        }
        int maxLength = maxLength(config, tokenizer);
        return TrainingLoop.fit(config, initial, TokenObjective.of(tokenizer, train, validation, tags, maxLength),
                tokenizer.padId(), maxLength, tc, strategy, listener, checkpoints);
    }

    /**
     * Language modelling (a decoder with the language-model head): every position learns the next token of its text.
     * The epoch's score is next-token accuracy on the validation texts.
     */
    public static Result trainLanguageModel(TransformerConfig config, Weights initial, Tokenizer tokenizer,
            List<String> train, List<String> validation, TrainingConfig tc, Strategy strategy,
            TrainingListener listener, Checkpoint.Store checkpoints) {
        if (!config.languageModel()) {
            throw new IllegalArgumentException("a decoder with a language-model head is needed");
        }
        int maxLength = maxLength(config, tokenizer);
        return TrainingLoop.fit(config, initial, CompletionObjective.languageModel(tokenizer, train, validation,
                maxLength),
                tokenizer.padId(), maxLength, tc, strategy, listener, checkpoints);
    }

    /**
     * Completion (a decoder with the language-model head): each example's completion is learned after its prompt, the
     * loss on the completion's tokens only ({@link Completion}). The epoch's score is next-token accuracy over the
     * validation completions.
     */
    public static Result trainCompletions(TransformerConfig config, Weights initial, List<Completion> train,
            List<Completion> validation, int padId, TrainingConfig tc, Strategy strategy, TrainingListener listener,
            Checkpoint.Store checkpoints) {
        if (!config.languageModel()) {
            throw new IllegalArgumentException("a decoder with a language-model head is needed");
        }
        int maxLength = config.maxPositions();
        return TrainingLoop.fit(config, initial, CompletionObjective.of(train, validation, padId, maxLength), padId,
                maxLength, tc, strategy, listener, checkpoints);
    }

    /**
     * Sequence to sequence (an encoder-decoder) on token ids, with teacher forcing from {@code decoderStart}. Targets
     * should end with the end-of-sequence id the model is to emit. The epoch's score is teacher-forced token accuracy
     * on the validation pairs.
     */
    public static Result trainSeq2Seq(TransformerConfig config, Weights initial, List<int[]> sources,
            List<int[]> targets, List<int[]> validationSources, List<int[]> validationTargets, int padId,
            int decoderStart, TrainingConfig tc, Strategy strategy, TrainingListener listener,
            Checkpoint.Store checkpoints) {
        if (!config.encoderDecoder()) {
            throw new IllegalArgumentException("sequence to sequence needs an encoder-decoder");
        }
        int maxLength = config.maxPositions();
        return TrainingLoop.fit(config, initial, SequenceToSequenceObjective.of(sources, targets,
                validationSources, validationTargets, padId, decoderStart, maxLength), padId, maxLength, tc,
                strategy, listener, checkpoints);
    }

    /**
     * Text-to-text classification (an encoder-decoder with its language-model head): each text's label is learned as
     * the words {@code labels} writes for it. The epoch's score is the accuracy of the labels ranked by likelihood.
     */
    public static Result trainTextToText(TransformerConfig config, Weights initial, Tokenizer tokenizer,
            List<LabelledText> train, List<LabelledText> validation, LabelWords labels, TrainingConfig tc,
            Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
        if (!config.encoderDecoder() || !config.languageModel()) {
            throw new IllegalArgumentException("text to text needs an encoder-decoder with its language-model head");
        }
        if (tc.classWeighting() == TrainingConfig.ClassWeighting.BALANCED) {
            // The loss is over the vocabulary's tokens, which a weight per class does not describe.
            throw new IllegalArgumentException("balanced class weights need a classifier's head, not label words");
        }
        int maxLength = maxLength(config, tokenizer);
        return TrainingLoop.fit(config, initial, TextToTextObjective.of(tokenizer, train, validation, labels,
                maxLength), tokenizer.padId(), maxLength, tc, strategy, listener, checkpoints);
    }

    /**
     * A student sequence classifier learning a teacher's soft labels over labelled and unlabelled texts, and the hard
     * labels where there are some ({@link DistillationLoss}); scored, and stopped early, on the labelled validation
     * texts as {@link #train} is. Start it from {@link io.finetide.model.distill.Students#fromTeacher} or a smaller
     * base.
     */
    public static Result distil(TransformerConfig student, Weights initial, Tokenizer tokenizer,
            List<DistilledText> train, List<LabelledText> validation, DistillationLoss loss, TrainingConfig tc,
            Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
        requireDistillable(student, false, tc);
        int maxLength = maxLength(student, tokenizer);
        return TrainingLoop.fit(student, initial, DistillationObjective.of(tokenizer, train, validation, maxLength,
                student.numLabels(), loss), tokenizer.padId(), maxLength, tc, strategy, listener, checkpoints);
    }

    /** {@link #distil} for a pair classifier's student: pairs joined as {@link #trainPairs} joins them. */
    public static Result distilPairs(TransformerConfig student, Weights initial, Tokenizer tokenizer,
            List<DistilledPair> train, List<LabelledPair> validation, DistillationLoss loss, TrainingConfig tc,
            Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
        requireDistillable(student, false, tc);
        int maxLength = maxLength(student, tokenizer);
        return TrainingLoop.fit(student, initial, DistillationObjective.ofPairs(tokenizer, train, validation,
                maxLength, student.numLabels(), loss), tokenizer.padId(), maxLength, tc, strategy, listener,
                checkpoints);
    }

    /**
     * {@link #distil} for a tagger's student: the teacher's distribution for each word, at its first piece, beside the
     * word's tag where the sentence has tags; scored, and stopped early, by entity F1 as {@link #trainTokens} is.
     */
    public static Result distilTokens(TransformerConfig student, Weights initial, Tokenizer tokenizer,
            List<DistilledWords> train, List<TaggedWords> validation, List<String> tags, DistillationLoss loss,
            TrainingConfig tc, Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
        requireDistillable(student, true, tc);
        int maxLength = maxLength(student, tokenizer);
        return TrainingLoop.fit(student, initial, DistillationObjective.ofTagged(tokenizer, train, validation, tags,
                maxLength, loss), tokenizer.padId(), maxLength, tc, strategy, listener, checkpoints);
    }

    /** @param tagger whether the student tags words rather than classifying sequences */
    private static void requireDistillable(TransformerConfig student, boolean tagger, TrainingConfig tc) {
        if (tagger && !student.tokenClassification()) {
            throw new IllegalArgumentException("a tagger's student has a token-classification head");
        }
        if (!tagger && (student.perPosition() || student.languageModel() || student.encoderDecoder())) {
            throw new IllegalArgumentException("a student learns a sequence classifier's soft labels");
        }
        if (tc.privacy() != null) {
            throw new IllegalArgumentException("DP-SGD does not distil: a teacher's soft labels read every example");
        }
    }

    /** N / (K n_k) per label k over {@code labels}; 1 for a label without examples (it never weighs anything). */
    public static float[] balancedWeights(int[] labels, int numLabels) {
        int[] counts = new int[numLabels];
        for (int y : labels) {
            counts[y]++;
        }
        float[] w = new float[numLabels];
        for (int k = 0; k < numLabels; k++) {
            w[k] = counts[k] == 0 ? 1f : (float) ((double) labels.length / ((double) numLabels * counts[k]));
        }
        return w;
    }

    /** The longest input the model takes: the tokenizer's limit or the position table's, the smaller. */
    private static int maxLength(TransformerConfig config, Tokenizer tokenizer) {
        return Math.min(tokenizer.maxLength(), config.maxPositions());
    }
}
