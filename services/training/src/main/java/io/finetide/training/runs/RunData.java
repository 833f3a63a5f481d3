package io.finetide.training.runs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.LabelWords;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.Completion;
import io.finetide.model.train.LabelledPair;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.TaggedWords;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.tagging.Bio;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;

/**
 * A snapshot's training and validation examples as the task's kind trains on them: labelled texts, labelled text
 * pairs, or, for a token-classification task, words tagged with BIO tags (the model's labels: O, then B- and I- of
 * each type).
 *
 * @param outputs the model's labels
 */
record RunData(List<String> outputs, Examples examples) {

    /** The two splits of one kind of example, and how that kind trains. */
    interface Examples {

        List<?> train();

        List<?> validation();

        default int trainCount() {
            return train().size();
        }

        default int validationCount() {
            return validation().size();
        }

        Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer tokenizer, TrainingConfig hp,
                Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints);

        /** The trained bundle with what serving needs to know of this kind of model (none by default). */
        default ModelBundle described(ModelBundle trained) {
            return trained;
        }
    }

    /** Examples a sequence classifier scores: temperature scaling is fitted on its validation split. */
    interface Classified extends Examples {

        int[] validationLabels();

        float[][] uncalibratedValidationProbabilities(Classifier classifier);
    }

    /** Single labelled texts, whichever way the model scores its classes. */
    interface ClassifiedTexts extends Classified {

        @Override
        List<LabelledText> validation();

        @Override
        default int[] validationLabels() {
            return validation().stream().mapToInt(LabelledText::label).toArray();
        }

        @Override
        default float[][] uncalibratedValidationProbabilities(Classifier classifier) {
            return classifier.uncalibratedProbabilities(validation().stream().map(LabelledText::text).toList());
        }
    }

    record Texts(List<LabelledText> train, List<LabelledText> validation) implements ClassifiedTexts {

        @Override
        public Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer tokenizer, TrainingConfig hp,
                Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
            return Trainer.train(config, initial, tokenizer, train, validation, hp, strategy, listener, checkpoints);
        }
    }

    record Pairs(List<LabelledPair> train, List<LabelledPair> validation) implements Classified {

        @Override
        public Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer tokenizer, TrainingConfig hp,
                Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
            return Trainer.trainPairs(config, initial, tokenizer, train, validation, hp, strategy, listener,
                    checkpoints);
        }

        @Override
        public ModelBundle described(ModelBundle trained) {
            return trained.withMetadata(ModelBundle.TEXT_PAIRS, true);
        }

        @Override
        public int[] validationLabels() {
            return validation.stream().mapToInt(LabelledPair::label).toArray();
        }

        @Override
        public float[][] uncalibratedValidationProbabilities(Classifier classifier) {
            return classifier.uncalibratedPairProbabilities(validation.stream().map(LabelledPair::first).toList(),
                    validation.stream().map(LabelledPair::second).toList());
        }
    }

    /** The best epoch by entity F1. */
    record Tagged(List<TaggedWords> train, List<TaggedWords> validation, List<String> tags) implements Examples {

        @Override
        public Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer tokenizer, TrainingConfig hp,
                Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
            return Trainer.trainTokens(config, initial, tokenizer, train, validation, tags, hp, strategy, listener,
                    checkpoints);
        }
    }

    /**
     * Prompts and the completions a decoder learns to write after them, each ending with the end-of-text token; the
     * best epoch by next-token accuracy over the validation completions. Held as text: the tokenizer encodes them
     * without special tokens when the run fits.
     */
    record Completions(List<Text> train, List<Text> validation, int endOfText) implements Examples {

        record Text(String prompt, String completion) {
        }

        static Completions of(List<SnapshotFile.Row> rows, int endOfText) {
            return new Completions(texts(rows, Split.TRAIN), texts(rows, Split.VALIDATION), endOfText);
        }

        static List<Text> texts(List<SnapshotFile.Row> rows, Split split) {
            return rows.stream().filter(r -> r.splitValue() == split).map(r -> new Text(r.text(), r.completion()))
                    .toList();
        }

        /** The prompt's ids, and the completion's followed by the end-of-text token. */
        List<Completion> encoded(List<Text> texts, Tokenizer tokenizer) {
            return texts.stream().map(t -> Completion.encode(tokenizer, t.prompt(), t.completion(), endOfText))
                    .toList();
        }

        @Override
        public Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer tokenizer, TrainingConfig hp,
                Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
            return Trainer.trainCompletions(config, initial, encoded(train, tokenizer), encoded(validation,
                    tokenizer), tokenizer.padId(), hp, strategy, listener, checkpoints);
        }

        @Override
        public ModelBundle described(ModelBundle trained) {
            return trained.withMetadata(ModelBundle.END_OF_TEXT, endOfText);
        }
    }

    /**
     * Inputs and the targets an encoder-decoder learns to write for them (a sequence-to-sequence task): the input read
     * as the tokenizer reads a text (its special tokens, cut to the task's length), the target without special tokens
     * and ended with the end-of-text token. An epoch is scored by teacher-forced token accuracy.
     *
     * @param endOfText    the token a target ends with
     * @param decoderStart the token the decoder reads first
     */
    record Targets(List<Completions.Text> train, List<Completions.Text> validation, int endOfText,
            int decoderStart) implements Examples {

        static Targets of(List<SnapshotFile.Row> rows, int endOfText, int decoderStart) {
            return new Targets(Completions.texts(rows, Split.TRAIN), Completions.texts(rows, Split.VALIDATION),
                    endOfText, decoderStart);
        }

        @Override
        public Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer tokenizer, TrainingConfig hp,
                Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
            return Trainer.trainSeq2Seq(config, initial, sources(train, tokenizer), targets(train, tokenizer),
                    sources(validation, tokenizer), targets(validation, tokenizer), tokenizer.padId(), decoderStart,
                    hp, strategy, listener, checkpoints);
        }

        private static List<int[]> sources(List<Completions.Text> texts, Tokenizer tokenizer) {
            return Arrays.asList(tokenizer.encodeAll(texts.stream().map(Completions.Text::prompt).toList()));
        }

        private List<int[]> targets(List<Completions.Text> texts, Tokenizer tokenizer) {
            return texts.stream().map(t -> tokenizer.encodeTarget(t.completion(), endOfText)).toList();
        }

        @Override
        public ModelBundle described(ModelBundle trained) {
            return writingTokens(trained, endOfText, decoderStart);
        }
    }

    /**
     * Labelled texts an encoder-decoder learns to answer with its label's words ({@link LabelWords}); scored, and
     * calibrated, as a classifier by the labels ranked by likelihood.
     *
     * @param labels       the task's labels, whose words are the targets
     * @param endOfText    the token the words end with
     * @param decoderStart the token the decoder reads first
     */
    record TextToText(List<LabelledText> train, List<LabelledText> validation, List<String> labels, int endOfText,
            int decoderStart) implements ClassifiedTexts {

        static TextToText of(TaskDefinitionEvent task, List<SnapshotFile.Row> rows, int endOfText,
                int decoderStart) {
            return new TextToText(labelled(rows, Split.TRAIN, task), labelled(rows, Split.VALIDATION, task), task
                    .getLabelsList(), endOfText, decoderStart);
        }

        @Override
        public Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer tokenizer, TrainingConfig hp,
                Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
            return Trainer.trainTextToText(config, initial, tokenizer, train, validation, LabelWords.of(tokenizer,
                    labels, endOfText, decoderStart), hp, strategy, listener, checkpoints);
        }

        @Override
        public ModelBundle described(ModelBundle trained) {
            return writingTokens(trained, endOfText, decoderStart);
        }
    }

    /** An encoder-decoder's bundle with the tokens it writes with: the one it ends with and the one it starts from. */
    private static ModelBundle writingTokens(ModelBundle trained, int endOfText, int decoderStart) {
        return trained.withMetadata(ModelBundle.END_OF_TEXT, endOfText).withMetadata(ModelBundle.DECODER_START,
                decoderStart);
    }

    static RunData of(TaskDefinitionEvent task, List<SnapshotFile.Row> rows) {
        if (task.getType() == TaskType.TOKEN_CLASSIFICATION) {
            List<String> tags = Bio.tags(task.getLabelsList());
            return new RunData(tags, new Tagged(tagged(rows, Split.TRAIN, tags), tagged(rows, Split.VALIDATION, tags),
                    tags));
        }
        if (task.getType() == TaskType.TEXT_PAIR_CLASSIFICATION) {
            return new RunData(task.getLabelsList(), new Pairs(pairs(rows, Split.TRAIN, task), pairs(rows,
                    Split.VALIDATION, task)));
        }
        return new RunData(task.getLabelsList(), new Texts(labelled(rows, Split.TRAIN, task), labelled(rows,
                Split.VALIDATION, task)));
    }

    boolean tagging() {
        return examples instanceof Tagged;
    }

    int trainCount() {
        return examples.trainCount();
    }

    int validationCount() {
        return examples.validationCount();
    }

    ModelBundle described(ModelBundle trained) {
        return examples.described(trained);
    }

    Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer tokenizer, TrainingConfig hp,
            Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
        return examples.fit(config, initial, tokenizer, hp, strategy, listener, checkpoints);
    }

    /** The split's tagged examples; a row with a tag the model does not have is left out. */
    static List<TaggedWords> tagged(List<SnapshotFile.Row> rows, Split split, List<String> tags) {
        List<TaggedWords> out = new ArrayList<>();
        for (SnapshotFile.Row r : SnapshotFile.split(rows, split)) {
            int[] ids = r.tags().stream().mapToInt(tags::indexOf).toArray();
            if (!r.tokens().isEmpty() && r.tokens().size() == ids.length && Arrays.stream(ids).allMatch(i -> i >= 0)) {
                out.add(new TaggedWords(r.tokens(), ids));
            }
        }
        return out;
    }

    static List<LabelledText> labelled(List<SnapshotFile.Row> rows, Split split, TaskDefinitionEvent task) {
        List<LabelledText> out = new ArrayList<>();
        for (SnapshotFile.Row r : SnapshotFile.split(rows, split)) {
            int label = task.getLabelsList().indexOf(r.label());
            if (label >= 0) {
                out.add(new LabelledText(r.text(), label));
            }
        }
        return out;
    }

    /** The split's labelled pairs; a row without its second text is left out. */
    static List<LabelledPair> pairs(List<SnapshotFile.Row> rows, Split split, TaskDefinitionEvent task) {
        List<LabelledPair> out = new ArrayList<>();
        for (SnapshotFile.Row r : SnapshotFile.split(rows, split)) {
            int label = task.getLabelsList().indexOf(r.label());
            if (label >= 0 && !r.textPair().isEmpty()) {
                out.add(new LabelledPair(r.text(), r.textPair(), label));
            }
        }
        return out;
    }
}
