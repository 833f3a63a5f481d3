package io.finetide.platform.store;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bson.Document;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.GridFSDownloadStream;
import com.mongodb.client.gridfs.model.GridFSFile;
import com.mongodb.client.gridfs.model.GridFSUploadOptions;
import com.mongodb.client.model.Filters;

/**
 * Large immutable blobs (dataset snapshots, model bundles) in GridFS, addressed by a unique name. A name is written at
 * most once: names carry the id of what they hold, so a second write of the same name is a replay.
 */
public final class ArtifactStore {

    public static final String BUCKET = "artifacts";
    private static final int CHUNK_BYTES = 1024 * 1024;
    private static final int DOWNLOAD_BATCH = 8;

    private final GridFSBucket bucket;

    public ArtifactStore(MongoDatabase database) {
        this.bucket = GridFSBuckets.create(database, BUCKET);
    }

    /** Stores {@code bytes} under {@code name} unless it exists; returns true when this call stored it. */
    public boolean putOnce(String name, byte[] bytes, Document metadata) {
        if (find(name).isPresent()) {
            return false;
        }
        GridFSUploadOptions options = new GridFSUploadOptions().chunkSizeBytes(CHUNK_BYTES).metadata(metadata);
        bucket.uploadFromStream(name, new ByteArrayInputStream(bytes), options);
        return true;
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
        // A few chunks per reply: FerretDB otherwise answers with every chunk at once, and a model of 90 MB
        // exceeds the driver's 48 MB message limit.
        try (GridFSDownloadStream in = bucket.openDownloadStream(file.get().getObjectId()).batchSize(DOWNLOAD_BATCH)) {
            return Optional.of(in.readAllBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read artifact " + name, e);
        }
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
