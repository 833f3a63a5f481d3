package io.finetide.ingestion.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.finetide.ingestion.domain.TaskService;
import io.finetide.platform.topics.TopicProvisioner;
import io.quarkus.runtime.StartupEvent;

@ApplicationScoped
public class Startup {

    @Inject
    IngestionConfig config;

    @Inject
    TaskService tasks;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    void onStart(@Observes StartupEvent event) {
        if (config.createTopics()) {
            TopicProvisioner.ensure(bootstrap, TopicProvisioner.configuredTopics(
                    key -> ConfigProvider.getConfig().getValue(key, String.class)), config.topicPartitions(),
                    config.topicReplication());
        }
        tasks.loadFromStore();
    }
}
