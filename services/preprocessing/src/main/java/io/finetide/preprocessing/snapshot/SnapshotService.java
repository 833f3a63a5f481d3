package io.finetide.preprocessing.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.platform.datasets.SequenceLengths;
import io.finetide.platform.events.Events;
import io.finetide.platform.events.Hashing;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.preprocessing.messaging.EventPublisher;
import io.finetide.preprocessing.metrics.PreprocessingMetrics;
import io.finetide.preprocessing.preparation.PreparationService;
import io.finetide.preprocessing.preparation.TaskState;
import io.finetide.preprocessing.preparation.Tokenizers;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.PreparedExampleStore;
import io.finetide.preprocessing.store.SnapshotStore;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.RetentionSpec;
import io.finetide.proto.v1.SequenceLength;
import io.finetide.proto.v1.SourceRange;
import io.finetide.proto.v1.SplitCounts;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * Materialises a task's dataset up to its current sequence number as an immutable, content-hashed snapshot file in
 * the artifact store, records its manifest and statistics, announces it, and applies the task's retention. Each step
 * is idempotent (the file name carries its hash), so a crash part-way leaves at worst an unannounced file that the
 * next snapshot supersedes.
 */
@ApplicationScoped
public class SnapshotService {

    private static final Logger LOG = Logger.getLogger(SnapshotService.class);

    /** The outcome of materialising a snapshot again from the prepared examples. */
    public record Verification(String snapshotId, String recordedHash, String materialisedHash, boolean identical,
            long rows, long deletedSinceCreation, boolean fileStored) {
    }

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

    @Inject
    PreparationService preparation;

    public DatasetSnapshotRecord create(TaskDefinitionEvent task, TaskState state, List<String> reasons) {
        long buildStart = System.currentTimeMillis();
        String name = task.getName();
        DatasetSnapshotRecord parent = snapshots.latest(name).orElse(null);
        int version = parent == null ? 1 : parent.version() + 1;
        String id = name + "-v" + version;
        long cut = state.committed();
        long trainTotalAtCut = state.trainTotal();
        long parentCut = parent == null ? 0 : parent.cut();
        double replay = task.getPreprocessing().getReplayFraction();
        int recentSize = task.getPreprocessing().getRecentTestSize();

        SnapshotContent content = new SnapshotContent(id, cut, parentCut, replay, recentSize);
        examples.forEachInRange(name, Long.MIN_VALUE, cut, content::offer);
        byte[] file = content.file();
        String hash = Hashing.sha256Hex(file);
        String artifact = "datasets/" + name + "/" + id + "-" + hash.substring(0, 12) + ".jsonl.gz";
        artifacts.putOnce(artifact, file, Map.of("task", name, "snapshot", id, "sha256", hash));
        DatasetSnapshotRecord record = new DatasetSnapshotRecord(id, name, version, parent == null ? "" : parent.id(),
                cut, parentCut, trainTotalAtCut, content.train(), content.validation(), content.test(), content
                        .golden(),
                content.recent(), content.fresh(), content.replayed(), replay, recentSize, hash,
                artifact, preparation.pipeline(task).version(), Tokenizers.version(task), List.copyOf(reasons),
                content.sources(), content.labelCounts(), content.trainLengths(), content.unknownTokenRate(),
                content.topNgrams(), System.currentTimeMillis(), false, DatasetSnapshotRecord.Length.of(length(task,
                        parent, content.lengths())));
        if (!snapshots.insertOnce(record)) {
            // Another instance made this version first (it prepared the task until a moment ago): that one stands,
            // and only its event went downstream.
            DatasetSnapshotRecord first = snapshots.find(id).orElseThrow();
            state.snapshotTaken(first);
            return first;
        }
        state.snapshotTaken(record);
        DatasetSnapshotEvent.Builder event = DatasetSnapshotEvent.newBuilder().setMeta(Events.meta(name))
                .setSnapshotId(id).setVersion(version).setParentSnapshotId(record.parentId())
                .setCounts(SplitCounts.newBuilder().setTrain(record.train()).setValidation(record.validation())
                        .setTest(record.test()))
                .setContentHash(hash).setArtifact(artifact).setNewTrainExamples(record.newTrainExamples())
                .addAllTriggerReasons(reasons).setCleaningVersion(record.cleaningVersion())
                .setTokenizerVersion(record.tokenizerVersion()).putAllLabelCounts(record.labelCounts())
                .setReplayedTrainExamples(record.replayedTrainExamples()).setGoldenTest(record.golden())
                .setRecentTest(record.recent()).setIncremental(content.incremental()).setSequenceLength(record
                        .sequenceLength().toEvent());
        for (DatasetSnapshotRecord.Source s : record.sources()) {
            event.addSources(SourceRange.newBuilder().setTopic(s.topic()).setPartition(s.partition())
                    .setFirstOffset(s.firstOffset()).setLastOffset(s.lastOffset()).setExamples(s.examples()));
        }
        publisher.snapshot(event.build());
        String trigger = reasons.isEmpty() ? "none" : reasons.get(0).split(":", 2)[0].strip();
        metrics.snapshot(name, trigger, System.currentTimeMillis() - buildStart, record.train(), record.validation(),
                record.test(), record.unknownTokenRate());
        LOG.infof("snapshot %s: train=%d (new %d, replayed %d) validation=%d test=%d (golden %d) sha256=%s, because %s",
                id, record.train(), record.newTrainExamples(), record.replayedTrainExamples(), record.validation(),
                record.test(), record.golden(), hash.substring(0, 12), reasons);
        retain(task, record.createdAtMs());
        return record;
    }

    /**
     * The length the snapshot's models read: the task's; or, for a task that left it out, the parent's choice when it
     * was made within the same cap (a new base or budget is a new revision, and chooses again), else a new choice.
     */
    static SequenceLength length(TaskDefinitionEvent task, DatasetSnapshotRecord parent, long[] lengths) {
        int max = task.getModel().getMaxSeqLen();
        if (!task.getModel().getMaxSeqLenFromData()) {
            return SequenceLengths.set(lengths, max);
        }
        if (parent != null && parent.sequenceLength().fromData() && parent.sequenceLength().cap() == max) {
            return SequenceLengths.kept(parent.sequenceLength().toEvent(), lengths);
        }
        return SequenceLengths.chosen(lengths, max);
    }

    /** Builds the snapshot's file again from the prepared examples and compares it with the recorded hash. */
    public Verification verify(DatasetSnapshotRecord r) {
        SnapshotContent content = new SnapshotContent(r.id(), r.cut(), r.parentCut(), r.replayFraction(), r
                .recentTestSize());
        examples.forEachInRange(r.task(), Long.MIN_VALUE, r.cut(), content::offer);
        String hash = Hashing.sha256Hex(content.file());
        long rows = content.rows().size();
        long recorded = r.train() + r.validation() + r.test();
        return new Verification(r.id(), r.contentHash(), hash, hash.equals(r.contentHash()), rows, Math.max(0,
                recorded - rows), artifacts.find(r.artifact()).isPresent());
    }

    /**
     * Removes snapshot files beyond the task's retention (count and age); the newest snapshot and the champion's are
     * always kept, and manifests are never removed.
     */
    void retain(TaskDefinitionEvent task, long now) {
        RetentionSpec spec = task.getRetention();
        if (spec.getKeep() == 0 && spec.getMaxAgeHours() == 0) {
            return;
        }
        Set<String> champion = new java.util.HashSet<>();
        preparation.directory().champions().get(task.getName()).map(ModelPromotedEvent::getSnapshotId).ifPresent(
                champion::add);
        for (DatasetSnapshotRecord r : toRetire(snapshots.all(task.getName()), champion, spec, now)) {
            artifacts.delete(r.artifact());
            snapshots.markRetired(r.id());
            metrics.retired();
            LOG.infof("snapshot %s: file removed by retention", r.id());
        }
    }

    /**
     * The snapshots whose files retention removes: of those not yet retired, every one but the newest, the protected
     * ones and the {@code keep} newest others, plus any older than {@code maxAgeHours} (never the newest or a
     * protected one).
     *
     * @param all a task's snapshots, oldest first
     */
    static List<DatasetSnapshotRecord> toRetire(List<DatasetSnapshotRecord> all, Set<String> protectedIds,
            RetentionSpec spec, long now) {
        List<DatasetSnapshotRecord> out = new ArrayList<>();
        int others = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            DatasetSnapshotRecord r = all.get(i);
            if (r.retired() || i == all.size() - 1 || protectedIds.contains(r.id())) {
                continue;
            }
            boolean tooMany = spec.getKeep() > 0 && others >= spec.getKeep();
            boolean tooOld = spec.getMaxAgeHours() > 0 && now - r.createdAtMs() > spec.getMaxAgeHours() * 3_600_000L;
            if (tooMany || tooOld) {
                out.add(r);
            } else {
                others++;
            }
        }
        return out;
    }
}
