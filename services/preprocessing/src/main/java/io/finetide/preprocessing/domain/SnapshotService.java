package io.finetide.preprocessing.domain;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;
import org.jboss.logging.Logger;

import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.events.Hashing;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.preprocessing.messaging.EventPublisher;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.PreparedExampleRecord;
import io.finetide.preprocessing.store.PreparedExampleStore;
import io.finetide.preprocessing.store.SnapshotStore;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.SplitCounts;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * Materialises a task's whole prepared dataset as an immutable, content-hashed snapshot file in the artifact store,
 * records it and announces it. The file lists exactly which examples the version holds. Each step is idempotent, so
 * a crash part-way leaves at worst an unannounced snapshot that the next trigger supersedes.
 */
@ApplicationScoped
public class SnapshotService {

    private static final Logger LOG = Logger.getLogger(SnapshotService.class);

    @Inject
    PreparedExampleStore examples;

    @Inject
    SnapshotStore snapshots;

    @Inject
    ArtifactStore artifacts;

    @Inject
    EventPublisher publisher;

    @Inject
    PreprocessingMetrics metrics;

    /** Training examples held by the task's newest snapshot (0 before the first). */
    public long trainingInLatest(String task) {
        return snapshots.latest(task).map(DatasetSnapshotRecord::train).orElse(0L);
    }

    public DatasetSnapshotRecord create(TaskDefinitionEvent task) {
        String name = task.getName();
        DatasetSnapshotRecord parent = snapshots.latest(name).orElse(null);
        int version = parent == null ? 1 : parent.version() + 1;
        String id = name + "-v" + version;

        List<SnapshotFile.Row> rows = new ArrayList<>();
        long train = 0, validation = 0, test = 0;
        for (PreparedExampleRecord r : examples.all(name)) {
            rows.add(new SnapshotFile.Row(r.id(), r.cleanText(), r.label(), r.split()));
            switch (Split.valueOf(r.split())) {
                case TRAIN -> train++;
                case VALIDATION -> validation++;
                case TEST -> test++;
                default -> {
                }
            }
        }
        long newTrainExamples = train - (parent == null ? 0 : parent.train());
        byte[] file = SnapshotFile.write(rows);
        String hash = Hashing.sha256Hex(file);
        String artifact = "datasets/" + name + "/" + id + ".jsonl.gz";
        artifacts.putOnce(artifact, file, new Document("task", name).append("snapshot", id).append("sha256", hash));
        DatasetSnapshotRecord record = new DatasetSnapshotRecord(id, name, version,
                parent == null ? "" : parent.id(), train, validation, test, newTrainExamples, hash, artifact,
                TextCleaner.VERSION, task.getModel().getTokenizer(), System.currentTimeMillis());
        snapshots.insertOnce(record);
        publisher.snapshot(DatasetSnapshotEvent.newBuilder().setMeta(Events.meta(name)).setSnapshotId(id)
                .setVersion(version).setParentSnapshotId(record.parentId())
                .setCounts(SplitCounts.newBuilder().setTrain(train).setValidation(validation).setTest(test))
                .setContentHash(hash).setArtifact(artifact).setNewTrainExamples(newTrainExamples).build());
        metrics.snapshot();
        LOG.infof("snapshot %s: train=%d validation=%d test=%d new=%d sha256=%s", id, train, validation, test,
                newTrainExamples, hash.substring(0, 12));
        return record;
    }
}
