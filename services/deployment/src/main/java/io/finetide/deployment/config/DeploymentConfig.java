package io.finetide.deployment.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the deployment service ({@code finetide.deployment.*}; environment {@code FINETIDE_DEPLOYMENT_*}). */
@ConfigMapping(prefix = "finetide.deployment")
public interface DeploymentConfig {

    /** Name written into dead-letter headers. */
    @WithDefault("deployment")
    String serviceName();

    /** TensorFlow threads of each served model. */
    @WithDefault("2")
    int threads();

    /** Most texts accepted in one predict request. */
    @WithDefault("256")
    int maxTextsPerRequest();

    /** Create the platform's topics at start when they are missing. */
    @WithDefault("true")
    boolean createTopics();

    /** Partitions of topics this service creates. */
    @WithDefault("3")
    int topicPartitions();

    /** Replication factor of topics this service creates. */
    @WithDefault("1")
    short topicReplication();
}
