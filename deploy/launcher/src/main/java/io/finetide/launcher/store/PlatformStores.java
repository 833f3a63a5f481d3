package io.finetide.launcher.store;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;

import io.finetide.platform.store.ArtifactStore;

/**
 * A campaign's or benchmark's hands on a running platform's databases: what the services stored, read directly for an
 * accounting, and what an upstream service would have stored (a snapshot's file), so that one service can run alone.
 */
public final class PlatformStores implements AutoCloseable {

    private final MongoClient mongo;
    private final String database;

    /** @param database the platform's database prefix; each service adds its own suffix */
    public PlatformStores(String mongoUri, String database) {
        this.mongo = MongoClients.create(mongoUri);
        this.database = database;
    }

    /** The task's stored examples: id to label (empty while unlabelled). */
    public Map<String, String> examples(String task) {
        Map<String, String> out = new LinkedHashMap<>();
        mongo.getDatabase(database + "_ingestion").getCollection("examples").find(Filters.eq("task", task))
                .projection(Projections.include("exampleId", "label")).batchSize(10_000).forEach((Document d) -> out
                        .put(d.getString("exampleId"), d.getString("label")));
        return out;
    }

    /** Whether the example is stored: one read by {@code _id}, which ingestion keys as {@code <task>/<id>}. */
    public boolean hasExample(String task, String id) {
        return mongo.getDatabase(database + "_ingestion").getCollection("examples").find(Filters.eq("_id", task + "/"
                + id)).first() != null;
    }

    /** How many examples of the task are stored. */
    public long exampleCount(String task) {
        return mongo.getDatabase(database + "_ingestion").getCollection("examples").countDocuments(Filters.eq("task",
                task));
    }

    /** Stores an artifact as the preprocessing service would, once under its name. */
    public void putArtifact(String name, byte[] content) {
        new ArtifactStore(mongo.getDatabase(database + "_artifacts")).putOnce(name, content, new Document());
    }

    /** How many snapshots the training service has recorded. */
    public long trainingSnapshots() {
        return mongo.getDatabase(database + "_training").getCollection("snapshots").countDocuments();
    }

    /** Every stored artifact (model bundles, tokenizers, snapshot files), by name, with its content. */
    public void eachArtifact(java.util.function.BiConsumer<String, byte[]> each) {
        ArtifactStore store = new ArtifactStore(mongo.getDatabase(database + "_artifacts"));
        store.findMatching(".*").forEach(f -> store.get(f.getFilename()).ifPresent(bytes -> each.accept(f
                .getFilename(), bytes)));
    }

    public byte[] artifact(String name) {
        return new ArtifactStore(mongo.getDatabase(database + "_artifacts")).require(name);
    }

    @Override
    public void close() {
        mongo.close();
    }
}
