package io.finetide.runtime;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.finetide.platform.topics.TopicProvisioner;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Creates the platform's missing topics when a service starts, under the names it is configured with. Settings,
 * shared by all services: {@code finetide.topics.create} (default true; turn off where topics are managed
 * elsewhere), {@code finetide.topics.partitions} (3), {@code finetide.topics.replication} (1).
 */
@ApplicationScoped
public class TopicsOnStart {

    @Inject
    Config config;

    /** The connector's own Kafka settings (from {@code kafka.*} and {@code KAFKA_*}): TLS and SASL included. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @ConfigProperty(name = "finetide.topics.create", defaultValue = "true")
    boolean create;

    @ConfigProperty(name = "finetide.topics.partitions", defaultValue = "3")
    int partitions;

    @ConfigProperty(name = "finetide.topics.replication", defaultValue = "1")
    short replication;

    void onStart(@Observes StartupEvent event) {
        if (create) {
            TopicProvisioner.ensure(kafka,
                    TopicProvisioner.configuredTopics(key -> config.getValue(key, String.class)), partitions,
                    replication);
        }
    }
}
