package io.finetide.model.train;

import java.util.ArrayList;
import java.util.List;

import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.metrics.EntityF1;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * Token classification (BIO tagging) on pre-split words: each word's first word piece carries its tag. Scored by
 * entity-level F1 (seqeval's definition).
 */
record TokenObjective(TrainingData data, List<TaggedWords> validation, List<Tokenizer.Words> validationWords,
        List<List<String>> validationTruth, List<String> tags, int padId, int maxLength) implements Objective {

    static TokenObjective of(Tokenizer tokenizer, List<TaggedWords> train, List<TaggedWords> validation,
            List<String> tags, int maxLength) {
        int[][] ids = new int[train.size()][];
        int[][] positions = new int[train.size()][];
        for (int i = 0; i < ids.length; i++) {
            Tokenizer.Words w = tokenizer.encodeWords(train.get(i).words());
            ids[i] = w.ids();
            positions[i] = w.positionLabels(train.get(i).tags());
        }
        return new TokenObjective(TrainingData.perPosition(ids, positions), validation, validation.stream().map(
                t -> tokenizer.encodeWords(t.words())).toList(), validation.stream().map(t -> t.tagNames(tags))
                        .toList(),
                tags, tokenizer.padId(), maxLength);
    }

    @Override
    public int validationSize() {
        return validation.size();
    }

    @Override
    public ValidationFigures validate(TransformerGraph graph) {
        List<float[][]> probs = Predictor.wordProbabilities(graph, validationWords, padId, maxLength);
        List<List<String>> predicted = new ArrayList<>();
        double loss = 0;
        long counted = 0;
        for (int i = 0; i < probs.size(); i++) {
            predicted.add(Predictor.argMaxTags(probs.get(i), tags));
            int[] truth = validation.get(i).tags();
            for (int w = 0; w < probs.get(i).length; w++) {
                if (probs.get(i)[w] != null) {
                    loss -= Math.log(Math.max(1e-12, probs.get(i)[w][truth[w]]));
                    counted++;
                }
            }
        }
        return ValidationFigures.of(EntityF1.of(validationTruth, predicted).f1(), counted == 0 ? 0 : loss / counted);
    }
}
