package io.finetide.training.domain;

import io.finetide.model.encoder.EncoderConfig;
import io.finetide.model.text.Truncation;
import io.finetide.model.train.TrainingConfig;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.TaskDefinitionEvent;

/** From a task's definition to the model library's configuration objects. */
public final class Models {

    private Models() {
    }

    public static EncoderConfig encoder(TaskDefinitionEvent task, int vocabSize) {
        var m = task.getModel();
        return new EncoderConfig(vocabSize, m.getMaxSeqLen(), 2, m.getHiddenSize(), m.getLayers(), m.getHeads(),
                m.getFfnSize(), task.getLabelsCount(), "mean", task.getHyperParameters().getDropout(), 1e-12);
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
        return new TrainingConfig(h.getLearningRate(), h.getBatchSize(), h.getEpochs(), h.getWeightDecay(),
                h.getWarmupRatio(), h.getMaxGradNorm(), h.getSeed(), h.getDropout(), patience, h.getLabelSmoothing(),
                threads, schedule, h.getClassWeighting() == io.finetide.proto.v1.ClassWeighting.BALANCED
                        ? TrainingConfig.ClassWeighting.BALANCED
                        : TrainingConfig.ClassWeighting.NONE,
                h.getLayerLrDecay() == 0 ? 1.0 : h.getLayerLrDecay());
    }

    public static String modelId(String task, int snapshotVersion) {
        return task + "-m" + snapshotVersion;
    }

    public static String artifact(String task, String modelId) {
        return "models/" + task + "/" + modelId + ".zip";
    }
}
