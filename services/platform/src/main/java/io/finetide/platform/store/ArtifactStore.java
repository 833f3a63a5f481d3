package io.finetide.platform.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.GridFSDownloadStream;
import com.mongodb.client.gridfs.model.GridFSFile;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

/**
 * Large immutable blobs (dataset snapshots, model bundles) in GridFS, addressed by a unique name. A name is written at
 * most once: names carry the id of what they hold, so a second write of the same name is a replay.
 */
public final class ArtifactStore {

    public static final String BUCKET = "artifacts";
    private static final int CHUNK_BYTES = 1024 * 1024;
    private static final int DOWNLOAD_BATCH = 8;

    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);

    private final GridFSBucket bucket;
    private final MongoCollection<Document> chunks;
    private final MongoCollection<Document> files;

    public ArtifactStore(MongoDatabase database) {
        this.bucket = GridFSBuckets.create(database, BUCKET);
        this.chunks = database.getCollection(BUCKET + ".chunks");
        this.files = database.getCollection(BUCKET + ".files");
        // GridFS lets many files share a name; one name, one artifact is what makes putOnce atomic across processes.
        // The chunks' index is the one GridFS makes on its first write; chunks are written here, not by GridFS.
        try {
            chunks.createIndex(Indexes.ascending("files_id", "n"), new IndexOptions().unique(true));
            files.createIndex(Indexes.ascending("filename"), new IndexOptions().unique(true).name("filename_unique"));
        } catch (MongoException e) {
            LOG.warn("artifact names cannot be made unique (" + e.getMessage() + "); two processes writing one "
                    + "name at once could both store it");
        }
    }

    /**
     * Stores {@code bytes} under {@code name} unless it exists; returns true when this call stored it. Of several
     * processes writing one name at once, exactly one stores it: each writes its chunks, then the file's document
     * (GridFS's layout, so any GridFS reader reads it), which the unique name lets only one of them insert; the
     * others remove their chunks.
     */
    public boolean putOnce(String name, byte[] bytes, Document metadata) {
        if (find(name).isPresent()) {
            return false;
        }
        ObjectId id = new ObjectId();
        for (int n = 0; n * CHUNK_BYTES < bytes.length; n++) {
            int from = n * CHUNK_BYTES;
            chunks.insertOne(new Document("_id", chunkKey(id, n)).append("files_id", id).append("n", n).append("data",
                    new Binary(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + CHUNK_BYTES)))));
        }
        try {
            files.insertOne(new Document("_id", id).append("length", (long) bytes.length).append("chunkSize",
                    CHUNK_BYTES).append("uploadDate", new Date()).append("filename", name).append("metadata",
                            metadata));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
            chunks.deleteMany(Filters.eq("files_id", id));
            return false;
        }
    }

    /** As {@link #putOnce(String, byte[], Document)}, the metadata given as plain values. */
    public boolean putOnce(String name, byte[] bytes, java.util.Map<String, Object> metadata) {
        return putOnce(name, bytes, new Document(metadata));
    }

    public Optional<byte[]> get(String name) {
        Optional<GridFSFile> file = find(name);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Optional<byte[]> keyed = readKeyedChunks(file.get());
        if (keyed.isPresent()) {
            return keyed;
        }
        // Written by GridFS itself (before chunks were keyed, or by another tool): read as GridFS reads. A few chunks
        // per reply: FerretDB otherwise answers with every chunk at once, and a model of 90 MB exceeds the driver's
        // 48 MB message limit.
        try (GridFSDownloadStream in = bucket.openDownloadStream(file.get().getObjectId()).batchSize(DOWNLOAD_BATCH)) {
            return Optional.of(in.readAllBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read artifact " + name, e);
        }
    }

    /** The file's bytes from chunks stored under {@link #chunkKey}; empty when they are not all there. */
    private Optional<byte[]> readKeyedChunks(GridFSFile file) {
        byte[] out = new byte[Math.toIntExact(file.getLength())];
        int count = (int) ((file.getLength() + file.getChunkSize() - 1) / file.getChunkSize());
        for (int n = 0; n < count; n++) {
            Document chunk = chunks.find(Filters.eq("_id", chunkKey(file.getObjectId(), n))).first();
            if (chunk == null) {
                return Optional.empty();
            }
            byte[] data = chunk.get("data", Binary.class).getData();
            System.arraycopy(data, 0, out, n * file.getChunkSize(), data.length);
        }
        return Optional.of(out);
    }

    /**
     * A chunk's {@code _id}: its file's id and its number. GridFS readers find chunks by {@code files_id} and
     * {@code n}, whatever their ids; naming them lets this store fetch each by {@code _id}, which every MongoDB
     * implementation looks up by key. FerretDB's SQLite backend uses no other index, so reading by {@code files_id}
     * scans every stored chunk: a read took 80 ms longer for each artifact stored (2.8 s with 36 models).
     */
    static String chunkKey(ObjectId file, int n) {
        return file.toHexString() + "/" + n;
    }

    public byte[] require(String name) {
        return get(name).orElseThrow(() -> new IllegalStateException("artifact not found: " + name));
    }

    /** Removes every stored file of that name; returns how many there were. */
    public int delete(String name) {
        List<GridFSFile> files = new ArrayList<>();
        bucket.find(Filters.eq("filename", name)).forEach(files::add);
        files.forEach(f -> bucket.delete(f.getObjectId()));
        return files.size();
    }

    /** Every stored file whose name matches the regular expression {@code pattern}, by name. */
    public List<GridFSFile> findMatching(String pattern) {
        List<GridFSFile> files = new ArrayList<>();
        bucket.find(Filters.regex("filename", pattern)).sort(new Document("filename", 1)).forEach(files::add);
        return files;
    }

    public Optional<GridFSFile> find(String name) {
        return Optional.ofNullable(bucket.find(Filters.eq("filename", name)).first());
    }
}
