package io.finetide.deployment.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;

import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.StoreNames;
import io.finetide.platform.topics.TopicProvisioner;
import io.quarkus.runtime.StartupEvent;

@ApplicationScoped
public class Startup {

    @Inject
    DeploymentConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    io.finetide.deployment.domain.RegistryService registry;

    void onStart(@Observes StartupEvent event) {
        if (config.createTopics()) {
            TopicProvisioner.ensure(bootstrap, TopicProvisioner.configuredTopics(
                    key -> ConfigProvider.getConfig().getValue(key, String.class)), config.topicPartitions(),
                    config.topicReplication());
        }
        registry.loadChampions();
    }

    @Produces
    @Singleton
    MongoDatabase database(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String name) {
        return client.getDatabase(name);
    }

    @Produces
    @Singleton
    ArtifactStore artifacts(MongoClient client,
            @ConfigProperty(name = StoreNames.ARTIFACTS_DATABASE_KEY, defaultValue = StoreNames.DEFAULT_ARTIFACTS_DATABASE) String name) {
        return new ArtifactStore(client.getDatabase(name));
    }
}
