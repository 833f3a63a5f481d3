package io.finetide.model.train;

import java.util.List;

import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * Sequence classification of text pairs (natural-language inference, paraphrase, question and passage): each pair
 * joined by the tokenizer's template with segment ids 0 and 1; scored as single texts are.
 */
final class PairObjective implements Objective {

    private final TrainingData data;
    private final List<Tokenizer.Pair> validation;
    private final int[] validationLabels;
    private final int padId;
    private final int maxLength;
    private final int numLabels;

    PairObjective(Tokenizer tokenizer, List<LabelledPair> train, List<LabelledPair> validation, int maxLength,
            int numLabels) {
        List<Tokenizer.Pair> trainPairs = train.stream().map(p -> tokenizer.encodePair(p.first(), p.second()))
                .toList();
        this.data = TrainingData.pairs(trainPairs.stream().map(Tokenizer.Pair::ids).toArray(int[][]::new), trainPairs
                .stream().map(Tokenizer.Pair::typeIds).toArray(int[][]::new),
                train.stream().mapToInt(
                        LabelledPair::label).toArray());
        this.validation = validation.stream().map(p -> tokenizer.encodePair(p.first(), p.second())).toList();
        this.validationLabels = validation.stream().mapToInt(LabelledPair::label).toArray();
        this.padId = tokenizer.padId();
        this.maxLength = maxLength;
        this.numLabels = numLabels;
    }

    @Override
    public TrainingData data() {
        return data;
    }

    @Override
    public int validationSize() {
        return validation.size();
    }

    @Override
    public ValidationFigures validate(TransformerGraph graph) {
        return SequenceObjective.figures(Predictor.pairProbabilities(graph, validation, padId, maxLength),
                validationLabels, numLabels);
    }
}
