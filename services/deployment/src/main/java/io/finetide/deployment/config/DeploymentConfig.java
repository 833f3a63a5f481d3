package io.finetide.deployment.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the deployment service ({@code finetide.deployment.*}; environment {@code FINETIDE_DEPLOYMENT_*}). */
@ConfigMapping(prefix = "finetide.deployment")
public interface DeploymentConfig {

    /** TensorFlow threads of each served model. */
    @WithDefault("2")
    int threads();

    /** Most texts accepted in one predict request. */
    @WithDefault("256")
    int maxTextsPerRequest();

    /** Length of the windows over which served predictions are summed up and published for drift monitoring. */
    @WithDefault("10")
    int predictionStatsSeconds();
}
