package io.finetide.model.train;

import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.heads.DistillationLoss;

/**
 * What one kind of task learns: its training data encoded for the graph, and how its validation set is scored.
 * {@link TrainingLoop} runs any of them.
 */
sealed interface Objective permits SequenceObjective, PairObjective, TokenObjective, CompletionObjective,
        SequenceToSequenceObjective, TextToTextObjective, DistillationObjective {

    TrainingData data();

    int validationSize();

    /** The validation figures of the graph's current weights. */
    ValidationFigures validate(TransformerGraph graph);

    /** How the data's soft labels are learned, or null when it has none. */
    default DistillationLoss distillation() {
        return null;
    }
}
