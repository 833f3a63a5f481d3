package io.finetide.bench.store;

import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.platform.store.ArtifactStore;

/**
 * A benchmark's hands on a running platform's databases: it stages what an upstream service would have stored (a
 * snapshot's file) and reads what a service recorded, so that a benchmark can start the one service it measures.
 */
public final class PlatformDatabases implements AutoCloseable {

    private final MongoClient mongo;
    private final String database;

    /**
     * @param database the platform's database prefix; each service adds its own suffix
     */
    public PlatformDatabases(String mongoUri, String database) {
        this.mongo = MongoClients.create(mongoUri);
        this.database = database;
    }

    /** Stores an artifact as the preprocessing service would, once under its name. */
    public void putArtifact(String name, byte[] content) {
        new ArtifactStore(mongo.getDatabase(database + "_artifacts")).putOnce(name, content, new Document());
    }

    /** How many snapshots the training service has recorded. */
    public long trainingSnapshots() {
        return mongo.getDatabase(database + "_training").getCollection("snapshots").countDocuments();
    }

    @Override
    public void close() {
        mongo.close();
    }
}
