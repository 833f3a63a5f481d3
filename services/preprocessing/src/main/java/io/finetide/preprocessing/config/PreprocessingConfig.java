package io.finetide.preprocessing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the preprocessing service ({@code finetide.preprocessing.*}; env {@code FINETIDE_PREPROCESSING_*}). */
@ConfigMapping(prefix = "finetide.preprocessing")
public interface PreprocessingConfig {

    /** Name written into dead-letter headers. */
    @WithDefault("preprocessing")
    String serviceName();

    /** How long an example waits for its task's definition to arrive on the tasks topic before it is refused. */
    @WithDefault("30")
    int taskWaitSeconds();

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
