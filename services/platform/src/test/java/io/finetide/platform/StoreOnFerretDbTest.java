package io.finetide.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Random;

import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;

import io.finetide.platform.local.FerretDbServer;
import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.Documents;

/** The store operations the services rely on, against a real FerretDB process (or FINETIDE_MONGODB_URI). */
class StoreOnFerretDbTest {

    @TempDir
    static Path dir;
    static FerretDbServer server;
    static MongoClient client;
    static MongoDatabase db;

    @BeforeAll
    static void start() {
        String uri = System.getenv("FINETIDE_MONGODB_URI");
        if (uri == null || uri.isBlank()) {
            server = FerretDbServer.start(dir.resolve("data"), LocalPaths.freePort(), null);
            uri = server.connectionString();
        }
        client = MongoClients.create(uri);
        db = client.getDatabase("store_test_" + System.nanoTime());
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void insertOnceIsIdempotent() {
        MongoCollection<Document> c = db.getCollection("examples");
        assertThat(Documents.insertOnce(c, "e1", new Document("text", "first"))).isTrue();
        assertThat(Documents.insertOnce(c, "e1", new Document("text", "second"))).isFalse();
        assertThat(c.countDocuments()).isEqualTo(1);
        assertThat(Documents.byId(c, "e1").getString("text")).isEqualTo("first");
    }

    @Test
    void putReplaces() {
        MongoCollection<Document> c = db.getCollection("state");
        Documents.put(c, "k", new Document("v", 1));
        Documents.put(c, "k", new Document("v", 2));
        assertThat(c.countDocuments()).isEqualTo(1);
        assertThat(Documents.byId(c, "k").getInteger("v")).isEqualTo(2);
    }

    @Test
    void artifactsRoundTripAcrossChunksAndAreWrittenOnce() throws Exception {
        ArtifactStore store = new ArtifactStore(db);
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(big);
        assertThat(store.putOnce("model-a.bundle", big, new Document("kind", "model"))).isTrue();
        assertThat(store.putOnce("model-a.bundle", new byte[]{1}, new Document())).isFalse();
        assertThat(store.get("model-a.bundle")).hasValueSatisfying(b -> assertThat(b).isEqualTo(big));
        assertThat(store.get("missing")).isEmpty();
        // The first write's metadata and bytes stay, in more than one chunk: the second write changed nothing.
        var file = store.find("model-a.bundle").orElseThrow();
        assertThat(file.getMetadata().getString("kind")).isEqualTo("model");
        assertThat(file.getLength()).isEqualTo(big.length);
        assertThat(db.getCollection(ArtifactStore.BUCKET + ".chunks").countDocuments(new Document("files_id", file
                .getObjectId()))).isEqualTo((big.length + file.getChunkSize() - 1) / file.getChunkSize())
                .isGreaterThan(1);
    }
}
