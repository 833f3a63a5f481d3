package io.finetide.model.train;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.IntStream;

import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.metrics.ClassificationReport;
import io.finetide.model.tokenizer.Tokenizer;

/** Sequence classification of single texts: scored by accuracy, with macro-F1 and the loss. */
record SequenceObjective(TrainingData data, int[][] validationIds, int[] validationLabels, int padId,
        int maxLength, int numLabels) implements Objective {

    static SequenceObjective of(Tokenizer tokenizer, List<LabelledText> train, List<LabelledText> validation,
            int maxLength, int numLabels) {
        return new SequenceObjective(TrainingData.perSequence(tokenizer.encodeAll(train.stream().map(
                LabelledText::text).toList()), train.stream().mapToInt(LabelledText::label).toArray()), tokenizer
                        .encodeAll(validation.stream().map(LabelledText::text).toList()),
                validation.stream()
                        .mapToInt(LabelledText::label).toArray(),
                tokenizer.padId(), maxLength, numLabels);
    }

    @Override
    public int validationSize() {
        return validationIds.length;
    }

    @Override
    public ValidationFigures validate(TransformerGraph graph) {
        return figures(Predictor.probabilities(graph, validationIds, padId, maxLength), validationLabels, numLabels);
    }

    /** Accuracy, cross-entropy and macro-F1 of a sequence classifier's validation probabilities. */
    static ValidationFigures figures(float[][] probs, int[] labels, int numLabels) {
        int[] predicted = Arrays.stream(probs).mapToInt(Predictor::argMax).toArray();
        List<String> names = IntStream.range(0, numLabels).mapToObj(String::valueOf).toList();
        double macroF1 = labels.length == 0 ? 0 : ClassificationReport.of(labels, predicted, names).macroF1();
        return new ValidationFigures(accuracy(predicted, labels), crossEntropy(probs, labels), OptionalDouble.of(
                macroF1));
    }

    private static double accuracy(int[] predicted, int[] labels) {
        if (labels.length == 0) {
            return 0;
        }
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predicted[i] == labels[i]) {
                correct++;
            }
        }
        return correct / (double) labels.length;
    }

    private static double crossEntropy(float[][] probs, int[] labels) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum -= Math.log(Math.max(1e-12, probs[i][labels[i]]));
        }
        return labels.length == 0 ? 0 : sum / labels.length;
    }
}
