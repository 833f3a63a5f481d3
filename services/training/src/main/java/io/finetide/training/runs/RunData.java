package io.finetide.training.runs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
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
 * A snapshot's training and validation examples as the task's kind trains on them: labelled texts, or, for a
 * token-classification task, words tagged with BIO tags (the model's labels: O, then B- and I- of each type).
 *
 * @param outputs the model's labels
 */
record RunData(boolean tagging, List<String> outputs, List<LabelledText> train, List<LabelledText> validation,
        List<TaggedWords> trainTagged, List<TaggedWords> validationTagged) {

    static RunData of(TaskDefinitionEvent task, List<SnapshotFile.Row> rows) {
        if (task.getType() == TaskType.TOKEN_CLASSIFICATION) {
            List<String> tags = Bio.tags(task.getLabelsList());
            return new RunData(true, tags, List.of(), List.of(), tagged(rows, Split.TRAIN, tags), tagged(rows,
                    Split.VALIDATION, tags));
        }
        return new RunData(false, task.getLabelsList(), labelled(rows, Split.TRAIN, task), labelled(rows,
                Split.VALIDATION, task), List.of(), List.of());
    }

    int trainCount() {
        return tagging ? trainTagged.size() : train.size();
    }

    int validationCount() {
        return tagging ? validationTagged.size() : validation.size();
    }

    /** A sequence task trains on labelled texts, a tagging task on tagged words (the best epoch by entity F1). */
    Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer tokenizer, TrainingConfig hp,
            Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
        return config.tokenClassification()
                ? Trainer.trainTokens(config, initial, tokenizer, trainTagged, validationTagged, outputs, hp,
                        strategy, listener, checkpoints)
                : Trainer.train(config, initial, tokenizer, train, validation, hp, strategy, listener, checkpoints);
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
}
