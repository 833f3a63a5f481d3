package io.finetide.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.finetide.platform.topics.TopicProvisioner;
import io.quarkus.runtime.StartupEvent;

/**
 * Creates the platform's missing topics when a service starts, under the names it is configured with. Settings,
 * shared by all services: {@code finetide.topics.create} (default true; turn off where topics are managed
 * elsewhere), {@code finetide.topics.partitions} (3), {@code finetide.topics.replication} (1).
 */
@ApplicationScoped
public class TopicsOnStart {

    @Inject
    Config config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "finetide.topics.create", defaultValue = "true")
    boolean create;

    @ConfigProperty(name = "finetide.topics.partitions", defaultValue = "3")
    int partitions;

    @ConfigProperty(name = "finetide.topics.replication", defaultValue = "1")
    short replication;

    void onStart(@Observes StartupEvent event) {
        if (create) {
            TopicProvisioner.ensure(bootstrap,
                    TopicProvisioner.configuredTopics(key -> config.getValue(key, String.class)), partitions,
                    replication);
        }
    }
}
