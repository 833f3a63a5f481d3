package io.finetide.bench.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.GridFSDownloadStream;

import io.finetide.platform.local.FerretDbServer;
import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.store.ArtifactStore;

/**
 * Reading one model bundle as the store fills: the artifact store's reads (each chunk by its key) against GridFS's
 * own (chunks found by file id), side by side on the same files of a local FerretDB. A store that slows with every
 * model it holds slows every verdict, deployment and demo on the local platform.
 */
public final class ArtifactsBenchmark {

    /** @param artifacts how many to store; @param bytes the size of each (a small model bundle by default) */
    public record Options(int artifacts, int bytes, int reads) {
    }

    private final Path work;
    private final Options options;
    private final Consumer<String> say;

    public ArtifactsBenchmark(Path work, Options options, Consumer<String> say) {
        this.work = work;
        this.options = options;
        this.say = say;
    }

    public String run() throws IOException {
        Files.createDirectories(work);
        StringBuilder table = new StringBuilder("""
                | artifacts stored | artifact store read (ms, median) | GridFS read (ms, median) | GridFS / store |
                |---:|---:|---:|---:|
                """);
        try (FerretDbServer server = FerretDbServer.start(Files.createTempDirectory(work, "ferretdb-"), LocalPaths
                .freePort(), work.resolve("ferretdb.log"));
                MongoClient client = MongoClients.create(server.connectionString())) {
            MongoDatabase db = client.getDatabase("bench_artifacts");
            ArtifactStore store = new ArtifactStore(db);
            GridFSBucket gridFs = GridFSBuckets.create(db, ArtifactStore.BUCKET);
            byte[] bytes = new byte[options.bytes()];
            new Random(1).nextBytes(bytes);
            String first = "models/bench/m0.zip";
            for (int n = 1; n <= options.artifacts(); n++) {
                store.putOnce("models/bench/m" + (n - 1) + ".zip", bytes, new Document());
                if (n == 1 || n % 10 == 0 || n == options.artifacts()) {
                    double keyed = medianMillis(() -> store.require(first));
                    double byFile = medianMillis(() -> gridFsRead(gridFs, store, first));
                    say.accept(n + " stored: store " + keyed + " ms, GridFS " + byFile + " ms");
                    table.append(String.format("| %d | %.0f | %.0f | %.1f× |%n", n, keyed, byFile, byFile / keyed));
                }
            }
        }
        return table.toString();
    }

    private static byte[] gridFsRead(GridFSBucket gridFs, ArtifactStore store, String name) {
        try (GridFSDownloadStream in = gridFs.openDownloadStream(store.find(name).orElseThrow().getObjectId())
                .batchSize(8)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private double medianMillis(Supplier<byte[]> read) {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < options.reads(); i++) {
            long t0 = System.nanoTime();
            byte[] got = read.get();
            times.add((System.nanoTime() - t0) / 1e6);
            if (got.length != options.bytes()) {
                throw new IllegalStateException("read " + got.length + " bytes of " + options.bytes());
            }
        }
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return Math.round(sorted[sorted.length / 2]);
    }
}
