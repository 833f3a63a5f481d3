package io.finetide.model.train;

import java.util.List;

import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.LabelWords;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * Text-to-text classification (an encoder-decoder): each text's label is learned as the words the decoder writes for
 * it, with teacher forcing; validation ranks the labels' words by their likelihood ({@link LabelWords}), so the epoch
 * is scored by accuracy, macro-F1 and the loss of the class probabilities as any classifier's is.
 */
record TextToTextObjective(TrainingData data, int[][] validationIds, int[] validationLabels, LabelWords labels,
        int maxLength) implements Objective {

    static TextToTextObjective of(Tokenizer tokenizer, List<LabelledText> train, List<LabelledText> validation,
            LabelWords labels, int maxLength) {
        int[][] sources = tokenizer.encodeAll(train.stream().map(LabelledText::text).toList());
        int[][] targets = train.stream().map(t -> labels.targets()[t.label()]).toArray(int[][]::new);
        int[][] decoderIds = train.stream().map(t -> labels.decoderInput(t.label())).toArray(int[][]::new);
        return new TextToTextObjective(TrainingData.sequenceToSequence(sources, targets, decoderIds), tokenizer
                .encodeAll(validation.stream().map(LabelledText::text).toList()),
                validation.stream().mapToInt(
                        LabelledText::label).toArray(),
                labels, maxLength);
    }

    @Override
    public int validationSize() {
        return validationIds.length;
    }

    @Override
    public ValidationFigures validate(TransformerGraph graph) {
        return SequenceObjective.figures(labels.probabilities(graph, validationIds, maxLength), validationLabels,
                labels.labels());
    }
}
