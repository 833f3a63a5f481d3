package io.finetide.runtime.metrics;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Every meter of a service carries {@code application} (finetide-ingestion, ...): Prometheus sets {@code job} and
 * {@code instance} from its own configuration, which differs between a laptop and a cluster; this tag does not.
 * Not {@code service}: a ServiceMonitor's target label of that name would push it aside.
 */
@Singleton
public class CommonTags {

    public static final String APPLICATION = "application";

    /**
     * {@code finetide.metrics.enabled=false} (FINETIDE_METRICS_ENABLED) denies every meter, Finetide's and the
     * frameworks': {@code /q/metrics} answers empty. Only for measuring what metrics cost ({@code ./finetide bench
     * metrics}); the default is on.
     */
    @Produces
    @Singleton
    MeterFilter application(@ConfigProperty(name = "quarkus.application.name") String name,
            @ConfigProperty(name = "finetide.metrics.enabled", defaultValue = "true") boolean enabled) {
        return enabled ? MeterFilter.commonTags(Tags.of(APPLICATION, name)) : MeterFilter.deny();
    }
}
