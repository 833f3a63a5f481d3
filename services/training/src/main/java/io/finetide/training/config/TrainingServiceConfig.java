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

    /** How long a snapshot waits for its task's definition to arrive before it is refused. */
    @WithDefault("30")
    int taskWaitSeconds();
}
