package io.finetide.runtime.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;

import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.StoreNames;

/** The service's own database ({@code quarkus.mongodb.database}) and the shared artifact store. */
@ApplicationScoped
public class StoreBeans {

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
