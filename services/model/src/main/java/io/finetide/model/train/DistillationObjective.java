package io.finetide.model.train;

import java.util.List;

import io.finetide.model.distill.SoftLabels;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.heads.DistillationLoss;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * A student classifier learning a teacher's soft labels ({@link DistillationLoss}) over labelled and unlabelled
 * texts, pairs of texts, or a tagger's words; scored as any classifier, on the labelled validation examples, so that a student
 * is picked and judged by what it gets right, not by how closely it copies.
 */
record DistillationObjective(TrainingData data, Objective validation, DistillationLoss loss) implements Objective {

    static DistillationObjective of(Tokenizer tokenizer, List<DistilledText> train, List<LabelledText> validation,
            int maxLength, int numLabels, DistillationLoss loss) {
        float[][] soft = soft(train.stream().map(DistilledText::teacherProbabilities).toList(), numLabels, loss);
        TrainingData data = TrainingData.distilled(tokenizer.encodeAll(train.stream().map(DistilledText::text)
                .toList()), null, train.stream().mapToInt(DistilledText::label).toArray(), soft);
        return new DistillationObjective(data, SequenceObjective.of(tokenizer, List.of(), validation, maxLength,
                numLabels), loss);
    }

    /** Pairs, joined by the tokenizer's template with segment ids as {@link PairObjective} joins them. */
    static DistillationObjective ofPairs(Tokenizer tokenizer, List<DistilledPair> train, List<LabelledPair> validation,
            int maxLength, int numLabels, DistillationLoss loss) {
        float[][] soft = soft(train.stream().map(DistilledPair::teacherProbabilities).toList(), numLabels, loss);
        List<Tokenizer.Pair> pairs = train.stream().map(p -> tokenizer.encodePair(p.first(), p.second())).toList();
        TrainingData data = TrainingData.distilled(pairs.stream().map(Tokenizer.Pair::ids).toArray(int[][]::new),
                pairs.stream().map(Tokenizer.Pair::typeIds).toArray(int[][]::new), train.stream().mapToInt(
                        DistilledPair::label).toArray(),
                soft);
        return new DistillationObjective(data, PairObjective.of(tokenizer, List.of(), validation, maxLength,
                numLabels), loss);
    }

    /**
     * A tagger's student: each word's first piece learns the teacher's distribution for the word, and the word's tag
     * where the sentence has tags; scored by entity F1 on the validation sentences as {@link TokenObjective} is.
     */
    static DistillationObjective ofTagged(Tokenizer tokenizer, List<DistilledWords> train,
            List<TaggedWords> validation, List<String> tags, int maxLength, DistillationLoss loss) {
        int[][] ids = new int[train.size()][];
        int[][] labels = new int[train.size()][];
        float[][][] soft = new float[train.size()][][];
        for (int i = 0; i < ids.length; i++) {
            DistilledWords d = train.get(i);
            Tokenizer.Words w = tokenizer.encodeWords(d.words());
            ids[i] = w.ids();
            if (d.tags() == null) {
                labels[i] = new int[w.ids().length];
                java.util.Arrays.fill(labels[i], -1);
            } else {
                labels[i] = w.positionLabels(d.tags());
            }
            soft[i] = new float[w.ids().length][];
            for (int j = 0; j < w.ids().length; j++) {
                float[] p = w.firstPiece(j) ? d.teacherProbabilities()[w.wordIds()[j]] : null;
                if (p != null) {
                    soft[i][j] = softened(p, tags.size(), loss, i);
                }
            }
        }
        return new DistillationObjective(TrainingData.distilledTokens(ids, labels, soft, tags.size()), TokenObjective
                .of(tokenizer, List.of(), validation, tags, maxLength), loss);
    }

    private static float[][] soft(List<float[]> teacher, int numLabels, DistillationLoss loss) {
        float[][] soft = new float[teacher.size()][];
        for (int i = 0; i < soft.length; i++) {
            soft[i] = softened(teacher.get(i), numLabels, loss, i);
        }
        return soft;
    }

    private static float[] softened(float[] p, int numLabels, DistillationLoss loss, int example) {
        if (p.length != numLabels) {
            throw new IllegalArgumentException("the teacher gave " + p.length + " probabilities for example " + example
                    + "; the student has " + numLabels + " labels");
        }
        return SoftLabels.atTemperature(p, loss.temperature());
    }

    @Override
    public int validationSize() {
        return validation.validationSize();
    }

    @Override
    public ValidationFigures validate(TransformerGraph graph) {
        return validation.validate(graph);
    }

    @Override
    public DistillationLoss distillation() {
        return loss;
    }
}
