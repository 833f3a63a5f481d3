package io.finetide.evaluation.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the evaluation service ({@code finetide.evaluation.*}; environment {@code FINETIDE_EVALUATION_*}). */
@ConfigMapping(prefix = "finetide.evaluation")
public interface EvaluationConfig {

    /** TensorFlow threads used to score a model. */
    @WithDefault("2")
    int threads();

    /** How long a candidate waits for its task's definition to arrive before it is refused. */
    @WithDefault("30")
    int taskWaitSeconds();
}
