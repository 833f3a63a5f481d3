package io.finetide.preprocessing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the preprocessing service ({@code finetide.preprocessing.*}; env {@code FINETIDE_PREPROCESSING_*}). */
@ConfigMapping(prefix = "finetide.preprocessing")
public interface PreprocessingConfig {

    /** How long an example waits for its task's definition to arrive on the tasks topic before it is refused. */
    @WithDefault("30")
    int taskWaitSeconds();
}
