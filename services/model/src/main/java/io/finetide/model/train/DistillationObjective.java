package io.finetide.model.train;

import java.util.List;

import io.finetide.model.distill.SoftLabels;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.heads.DistillationLoss;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * A student sequence classifier learning a teacher's soft labels ({@link DistillationLoss}) over labelled and
 * unlabelled texts; scored as any classifier, on the labelled validation texts, so that a student is picked and judged
 * by what it gets right, not by how closely it copies.
 */
record DistillationObjective(TrainingData data, SequenceObjective validation, DistillationLoss loss)
        implements
            Objective {

    static DistillationObjective of(Tokenizer tokenizer, List<DistilledText> train, List<LabelledText> validation,
            int maxLength, int numLabels, DistillationLoss loss) {
        float[][] soft = new float[train.size()][];
        for (int i = 0; i < soft.length; i++) {
            float[] p = train.get(i).teacherProbabilities();
            if (p.length != numLabels) {
                throw new IllegalArgumentException("the teacher gave " + p.length + " probabilities for text " + i
                        + "; the student has " + numLabels + " labels");
            }
            soft[i] = SoftLabels.atTemperature(p, loss.temperature());
        }
        TrainingData data = TrainingData.distilled(tokenizer.encodeAll(train.stream().map(DistilledText::text)
                .toList()), train.stream().mapToInt(DistilledText::label).toArray(), soft);
        return new DistillationObjective(data, SequenceObjective.of(tokenizer, List.of(), validation, maxLength,
                numLabels), loss);
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
