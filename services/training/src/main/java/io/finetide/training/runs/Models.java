package io.finetide.training.runs;

import java.util.EnumSet;
import java.util.Set;

import io.finetide.model.adapters.Lora;
import io.finetide.model.tokenizer.Truncation;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.proto.v1.FineTuning;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.Optimizer;
import io.finetide.proto.v1.TaskDefinitionEvent;

/** From a task's definition to the model library's configuration objects. */
public final class Models {

    private Models() {
    }

    public static TransformerConfig encoder(TaskDefinitionEvent task, int vocabSize) {
        return encoder(task, vocabSize, HeadSpec.sequence(task.getLabelsCount(), Pooling.MEAN));
    }

    /** A random-start encoder of the task's shape with the given head. */
    public static TransformerConfig encoder(TaskDefinitionEvent task, int vocabSize, HeadSpec head) {
        var m = task.getModel();
        return TransformerConfig.encoderBuilder().vocabSize(vocabSize).maxPositions(m.getMaxSeqLen()).typeVocabSize(2)
                .hiddenSize(m.getHiddenSize()).layers(m.getLayers()).heads(m.getHeads())
                .intermediateSize(m.getFfnSize()).head(head)
                .dropout(task.getHyperParameters().getDropout()).layerNormEps(1e-12).build();
    }

    /** The task's truncation policy in the model library's terms (unset: the head). */
    public static Truncation truncation(TaskDefinitionEvent task) {
        return switch (task.getPreprocessing().getTruncation()) {
            case TAIL -> Truncation.TAIL;
            case HEAD_AND_TAIL -> Truncation.HEAD_AND_TAIL;
            default -> Truncation.HEAD;
        };
    }

    public static TrainingConfig training(HyperParameters h, int patience, int threads) {
        TrainingConfig.Schedule schedule = switch (h.getSchedule()) {
            case COSINE -> TrainingConfig.Schedule.COSINE;
            case CONSTANT -> TrainingConfig.Schedule.CONSTANT;
            default -> TrainingConfig.Schedule.LINEAR;
        };
        return TrainingConfig.builder().learningRate(h.getLearningRate()).batchSize(h.getBatchSize())
                .epochs(h.getEpochs()).weightDecay(h.getWeightDecay()).warmupRatio(h.getWarmupRatio())
                .maxGradNorm(h.getMaxGradNorm()).seed(h.getSeed()).dropout(h.getDropout()).patience(patience)
                .labelSmoothing(h.getLabelSmoothing()).threads(threads).schedule(schedule)
                .classWeighting(h.getClassWeighting() == io.finetide.proto.v1.ClassWeighting.BALANCED
                        ? TrainingConfig.ClassWeighting.BALANCED
                        : TrainingConfig.ClassWeighting.NONE)
                .layerDecay(h.getLayerLrDecay() == 0 ? 1.0 : h.getLayerLrDecay())
                .optimizer(h.getOptimizer() == Optimizer.SGD
                        ? io.finetide.model.optim.Optimizer.SGD
                        : io.finetide.model.optim.Optimizer.ADAMW)
                .momentum(h.getMomentum()).accumulationSteps(Math.max(1, h.getGradientAccumulationSteps()))
                .selection(selection(h)).build();
    }

    private static TrainingConfig.Selection selection(HyperParameters h) {
        return switch (h.getSelectionMetric()) {
            case MACRO_F1 -> TrainingConfig.Selection.MACRO_F1;
            case VALIDATION_LOSS -> TrainingConfig.Selection.LOSS;
            default -> TrainingConfig.Selection.ACCURACY;
        };
    }

    /** The task's fine-tuning strategy in the model library's terms (unset: full). */
    public static Strategy strategy(HyperParameters h) {
        FineTuning f = h.getFineTuning();
        return switch (f.getStrategy()) {
            case HEAD_ONLY -> Strategy.headOnly();
            case TOP_LAYERS -> Strategy.topLayers(f.getTopLayers());
            case GRADUAL_UNFREEZING -> Strategy.gradual();
            case LORA -> {
                Set<Lora.Target> targets = EnumSet.noneOf(Lora.Target.class);
                f.getLoraTargetsList().forEach(t -> targets.add(Lora.Target.valueOf(t.name())));
                yield Strategy.lora(new Lora(f.getLoraRank(), f.getLoraAlpha(), targets));
            }
            default -> Strategy.full();
        };
    }

    public static String modelId(String task, int snapshotVersion) {
        return task + "-m" + snapshotVersion;
    }

    public static String artifact(String task, String modelId) {
        return "models/" + task + "/" + modelId + ".zip";
    }
}
