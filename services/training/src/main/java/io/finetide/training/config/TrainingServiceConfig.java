package io.finetide.training.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the training service ({@code finetide.training.*}; environment {@code FINETIDE_TRAINING_*}). */
@ConfigMapping(prefix = "finetide.training")
public interface TrainingServiceConfig {

    /** TensorFlow intra- and inter-op threads of a training run. */
    @WithDefault("2")
    int threads();

    /** Epochs without a better validation accuracy before a run stops early (0: never). */
    @WithDefault("2")
    int patience();

    /**
     * Where a run keeps its checkpoint ({@code <dir>/<model id>-<snapshot hash prefix>/}), so that a run killed part-way (the process, the
     * pod) resumes where it stopped when the snapshot is delivered again; removed once the model is stored. Empty:
     * no checkpoints. Use a volume that outlives the process (an emptyDir survives container restarts).
     */
    @WithDefault("${java.io.tmpdir}/finetide-training-checkpoints")
    java.util.Optional<String> checkpointDir();

    /** A checkpoint every this many updates, besides the one at each epoch's end (0: only at epochs' ends). */
    @WithDefault("200")
    int checkpointEverySteps();

    /**
     * The most unlabelled examples a distilled student learns from besides the snapshot's labelled ones (the newest
     * first); the teacher labels each, so this bounds that pass too.
     */
    @WithDefault("50000")
    int distillationMaxUnlabelled();

    /**
     * How long a snapshot waits at most for its task's definition to arrive before it is refused; once the whole
     * tasks topic has been read, an unknown task is refused at once.
     */
    @WithDefault("30")
    int taskWaitSeconds();
}
