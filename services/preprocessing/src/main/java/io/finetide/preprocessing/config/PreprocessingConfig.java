package io.finetide.preprocessing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the preprocessing service ({@code finetide.preprocessing.*}; env {@code FINETIDE_PREPROCESSING_*}). */
@ConfigMapping(prefix = "finetide.preprocessing")
public interface PreprocessingConfig {

    /**
     * How long an example waits at most for its task's definition to arrive on the tasks topic before it is refused;
     * once the whole tasks topic has been read, an unknown task is refused at once.
     */
    @WithDefault("30")
    int taskWaitSeconds();

    /** How often due triggers, schedules and re-preparations are looked at. */
    @WithDefault("250")
    long tickMillis();

    /** Live predictions gathered (over one or more windows) before their distribution is compared. */
    @WithDefault("100")
    int liveDriftMinPredictions();

    /**
     * Predictions of a newly served model that form its confidence baseline; later windows are compared with it.
     */
    @WithDefault("200")
    int confidenceBaselinePredictions();
}
