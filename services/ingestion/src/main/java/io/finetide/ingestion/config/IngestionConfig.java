package io.finetide.ingestion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the ingestion service ({@code finetide.ingestion.*}; environment: {@code FINETIDE_INGESTION_*}). */
@ConfigMapping(prefix = "finetide.ingestion")
public interface IngestionConfig {

    /** Largest number of examples accepted in one {@code POST /api/v1/examples}. */
    @WithDefault("1000")
    int maxBatchSize();
}
