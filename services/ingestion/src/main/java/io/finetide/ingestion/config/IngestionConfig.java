package io.finetide.ingestion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the ingestion service ({@code finetide.ingestion.*}; environment: {@code FINETIDE_INGESTION_*}). */
@ConfigMapping(prefix = "finetide.ingestion")
public interface IngestionConfig {

    /** Name written into dead-letter headers. */
    @WithDefault("ingestion")
    String serviceName();

    /** Largest number of examples accepted in one {@code POST /api/v1/examples}. */
    @WithDefault("1000")
    int maxBatchSize();

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
