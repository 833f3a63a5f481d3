package io.finetide.preprocessing.preparation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.finetide.preprocessing.snapshot.SnapshotContent;
import io.finetide.preprocessing.snapshot.Splitter;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.PreparedExampleRecord;
import io.finetide.preprocessing.trigger.TriggerPolicy;
import io.finetide.proto.v1.Split;

/**
 * What preprocessing keeps in memory per task, rebuilt from the store when the task is first seen after a start: the
 * sequence counter, how many training examples exist and how many of them the newest snapshot covers, the examples
 * since that snapshot (the window drift is measured on) and the task's trigger policy. Written by the consumer thread
 * and read by the trigger thread, hence synchronised.
 */
public final class TaskState {

    /** The label and token-length bin of an example not yet in a snapshot. */
    public record Seen(String label, String lengthBin) {
    }

    public final String task;
    public final TriggerPolicy policy = new TriggerPolicy();
    public final Splitter splitter = new Splitter();
    private long nextSeq;
    private long committed;
    private long trainTotal;
    private long golden;
    private long snapshotCut;
    private long snapshotTrainTotal;
    private long snapshotAt;
    private final TreeMap<Long, Seen> window = new TreeMap<>();
    /** Ids prepared or deleted: one consumer owns a task (its records share a partition), so memory is the truth. */
    private final java.util.Set<String> known;
    private long windowAtLastDrift;
    /** The cleaning and tokenisation versions of the definition last acted on (re-preparation compares them). */
    String cleaningVersion;
    String tokenizerVersion;

    TaskState(String task, long maxSeq, long trainTotal, long golden, DatasetSnapshotRecord latest,
            java.util.Set<String> known) {
        this.task = task;
        this.known = known;
        this.nextSeq = maxSeq + 1;
        this.committed = maxSeq;
        this.trainTotal = trainTotal;
        this.golden = golden;
        if (latest != null) {
            snapshotTaken(latest);
        }
    }

    public synchronized boolean isKnown(String id) {
        return known.contains(id);
    }

    public synchronized void know(java.util.Collection<String> ids) {
        known.addAll(ids);
    }

    public synchronized long nextSeq() {
        return nextSeq++;
    }

    public synchronized boolean takeGoldenSlot(int size) {
        if (golden < size) {
            golden++;
            return true;
        }
        return false;
    }

    /** Examples up to {@code seq} are stored. */
    public synchronized void committed(PreparedExampleRecord r) {
        committed = Math.max(committed, r.seq());
        if (Split.valueOf(r.split()) == Split.TRAIN) {
            trainTotal++;
        }
        seen(r);
    }

    /** An example stored earlier (loaded at start) or just now: it joins the drift window if no snapshot has it. */
    public synchronized void seen(PreparedExampleRecord r) {
        if (r.seq() > snapshotCut) {
            window.put(r.seq(), new Seen(r.label(), SnapshotContent.lengthBin(r.tokenCount())));
        }
    }

    public synchronized long committed() {
        return committed;
    }

    public synchronized long trainTotal() {
        return trainTotal;
    }

    /** Training examples prepared since the newest snapshot's cut. */
    public synchronized long freshTraining() {
        return trainTotal - snapshotTrainTotal;
    }

    public synchronized long snapshotCut() {
        return snapshotCut;
    }

    public synchronized long snapshotAt() {
        return snapshotAt;
    }

    public synchronized void snapshotTaken(DatasetSnapshotRecord r) {
        snapshotCut = r.cut();
        snapshotTrainTotal = r.trainTotalAtCut();
        snapshotAt = r.createdAtMs();
        window.headMap(r.cut(), true).clear();
        windowAtLastDrift = 0;
        policy.firedAt(r.createdAtMs());
    }

    public synchronized long windowSize() {
        return window.size();
    }

    /**
     * The window's label and length counts when it has grown by {@code step} since the last measurement, else null.
     */
    public synchronized Map<String, Map<String, Long>> windowForDrift(int step) {
        if (window.size() < step || window.size() - windowAtLastDrift < step) {
            return null;
        }
        windowAtLastDrift = window.size();
        Map<String, Long> labels = new LinkedHashMap<>();
        Map<String, Long> lengths = new LinkedHashMap<>();
        for (Seen s : window.values()) {
            labels.merge(s.label(), 1L, Long::sum);
            lengths.merge(s.lengthBin(), 1L, Long::sum);
        }
        return Map.of("label", labels, "length", lengths);
    }
}
