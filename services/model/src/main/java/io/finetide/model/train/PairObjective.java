package io.finetide.model.train;

import java.util.List;

import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * Sequence classification of text pairs (natural-language inference, paraphrase, question and passage): each pair
 * joined by the tokenizer's template with segment ids 0 and 1; scored as single texts are.
 */
record PairObjective(TrainingData data, List<Tokenizer.Pair> validation, int[] validationLabels, int padId,
        int maxLength, int numLabels) implements Objective {

    static PairObjective of(Tokenizer tokenizer, List<LabelledPair> train, List<LabelledPair> validation,
            int maxLength, int numLabels) {
        List<Tokenizer.Pair> trainPairs = train.stream().map(p -> tokenizer.encodePair(p.first(), p.second()))
                .toList();
        TrainingData data = TrainingData.pairs(trainPairs.stream().map(Tokenizer.Pair::ids).toArray(int[][]::new),
                trainPairs.stream().map(Tokenizer.Pair::typeIds).toArray(int[][]::new), train.stream().mapToInt(
                        LabelledPair::label).toArray());
        return new PairObjective(data, validation.stream().map(p -> tokenizer.encodePair(p.first(), p.second()))
                .toList(), validation.stream().mapToInt(LabelledPair::label).toArray(), tokenizer.padId(), maxLength,
                numLabels);
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
