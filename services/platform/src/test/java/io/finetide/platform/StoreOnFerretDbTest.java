package io.finetide.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;

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
    static String uri;

    @BeforeAll
    static void start() {
        uri = System.getenv("FINETIDE_MONGODB_URI");
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
    void ofWritersRacingOnOneIdExactlyOneInserts() throws Exception {
        MongoCollection<Document> c = db.getCollection("claims");
        int writers = 8;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 10; round++) {
                String id = "claim-" + round;
                List<java.util.concurrent.Future<Boolean>> calls = new java.util.ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    calls.add(pool.submit(() -> {
                        start.await();
                        return Documents.insertOnce(c, id, new Document("writer", writer));
                    }));
                }
                List<Boolean> won = new java.util.ArrayList<>();
                for (var call : calls) {
                    won.add(call.get());
                }
                assertThat(won).as("round %d", round).containsOnlyOnce(true);
                assertThat(Documents.byId(c, id).getInteger("writer")).isEqualTo(won.indexOf(true));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A few ids are looked up each by {@code _id} equality, the one filter FerretDB answers by key; many with one
     * {@code $in}, which it answers with one scan. Both answer the same ids.
     */
    @Test
    void existingIdsAreLookedUpByKeyWhenFewAndInOneScanWhenMany() {
        List<BsonDocument> filters = new java.util.concurrent.CopyOnWriteArrayList<>();
        CommandListener finds = new CommandListener() {
            @Override
            public void commandStarted(CommandStartedEvent e) {
                if (e.getCommandName().equals("find") && e.getCommand().getString("find").getValue().equals(
                        "ledger")) {
                    filters.add(e.getCommand().getDocument("filter"));
                }
            }
        };
        try (MongoClient listened = MongoClients.create(MongoClientSettings.builder().applyConnectionString(
                new ConnectionString(uri)).addCommandListener(finds).build())) {
            MongoCollection<Document> c = listened.getDatabase(db.getName()).getCollection("ledger");
            for (int i = 0; i < 100; i += 2) {
                Documents.insertOnce(c, "p" + i, new Document("sentAtMs", i));
            }
            assertThat(Documents.existingIds(c, List.of("p4", "p5", "p4"))).containsExactly("p4");
            assertThat(filters).hasSize(2).allMatch(f -> f.get("_id").isString());

            filters.clear();
            List<String> many = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "p" + i).toList();
            assertThat(Documents.existingIds(c, many)).hasSize(50).allMatch(id -> Integer.parseInt(id.substring(1))
                    % 2 == 0);
            assertThat(filters).singleElement().satisfies(f -> assertThat(f.getDocument("_id").containsKey("$in"))
                    .isTrue());
        }
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

    @Test
    void artifactsAreGridFsFilesWhoseChunksAreKeyedAndGridFsWrittenOnesStillRead() throws Exception {
        ArtifactStore store = new ArtifactStore(db);
        byte[] exact = new byte[2 * 1024 * 1024];
        new Random(3).nextBytes(exact);
        store.putOnce("keyed.bundle", exact, new Document());
        store.putOnce("empty.bundle", new byte[0], new Document());
        var file = store.find("keyed.bundle").orElseThrow();
        List<Object> keys = new java.util.ArrayList<>();
        db.getCollection(ArtifactStore.BUCKET + ".chunks").find(new Document("files_id", file.getObjectId())).sort(
                new Document("n", 1)).forEach(d -> keys.add(d.get("_id")));
        String hex = file.getObjectId().toHexString();
        assertThat(keys).containsExactly(hex + "/0", hex + "/1");
        assertThat(store.get("empty.bundle")).hasValueSatisfying(b -> assertThat(b).isEmpty());
        // What this store writes, GridFS itself reads (mongofiles, other drivers), and the other way round.
        com.mongodb.client.gridfs.GridFSBucket gridFs = com.mongodb.client.gridfs.GridFSBuckets.create(db,
                ArtifactStore.BUCKET);
        java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
        gridFs.downloadToStream(file.getObjectId(), read);
        assertThat(read.toByteArray()).isEqualTo(exact);
        byte[] older = new byte[1024 * 1024 + 5];
        new Random(4).nextBytes(older);
        gridFs.uploadFromStream("gridfs-written.bundle", new java.io.ByteArrayInputStream(older),
                new com.mongodb.client.gridfs.model.GridFSUploadOptions().chunkSizeBytes(1024 * 1024));
        assertThat(store.get("gridfs-written.bundle")).hasValueSatisfying(b -> assertThat(b).isEqualTo(older));
    }

    @Test
    void concurrentWritesOfOneNameStoreOneArtifactAndLeaveNoOrphans() throws Exception {
        ArtifactStore store = new ArtifactStore(db);
        int writers = 8;
        byte[][] contents = new byte[writers][];
        for (int i = 0; i < writers; i++) {
            contents[i] = new byte[1024 * 1024 + 100 * i];
            new Random(i).nextBytes(contents[i]);
        }
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            List<java.util.concurrent.Future<Boolean>> stored = new java.util.ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int w = i;
                stored.add(pool.submit(() -> {
                    start.await();
                    return store.putOnce("race.bundle", contents[w], new Document("writer", w));
                }));
            }
            List<Boolean> outcomes = new java.util.ArrayList<>();
            for (var f : stored) {
                outcomes.add(f.get());
            }
            // One writer stored it; the others were told it exists, whoever got there first.
            assertThat(outcomes).containsOnlyOnce(true);
            int winner = outcomes.indexOf(true);
            assertThat(db.getCollection(ArtifactStore.BUCKET + ".files").countDocuments(new Document("filename",
                    "race.bundle"))).isEqualTo(1);
            var file = store.find("race.bundle").orElseThrow();
            assertThat(file.getMetadata().getInteger("writer")).isEqualTo(winner);
            assertThat(store.get("race.bundle")).hasValueSatisfying(b -> assertThat(b).isEqualTo(contents[winner]));
            // The losers' chunks are gone: only the winner's remain under any id.
            java.util.Set<Object> chunkOwners = new java.util.HashSet<>();
            db.getCollection(ArtifactStore.BUCKET + ".chunks").find().forEach(d -> chunkOwners.add(d.get(
                    "files_id")));
            java.util.Set<Object> files = new java.util.HashSet<>();
            db.getCollection(ArtifactStore.BUCKET + ".files").find().forEach(d -> files.add(d.get("_id")));
            assertThat(files).containsAll(chunkOwners);
        } finally {
            pool.shutdownNow();
        }
    }
}
