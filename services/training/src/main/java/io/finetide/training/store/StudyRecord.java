package io.finetide.training.store;

import org.bson.Document;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.StudySpec;

/**
 * A hyper-parameter study, in collection {@code studies}: its (defaulted) spec, the snapshot its trials train on, and
 * where it stands. Its trials are {@link TrialRecord}s.
 *
 * @param base           the task's hyper-parameters when the study began: each trial changes only the searched ones
 * @param deadlineMs     no trial starts after this (0: no time budget)
 * @param stopRequested  a user asked it to stop: no new trials, running ones are cancelled at their next epoch
 */
public record StudyRecord(String id, String task, StudySpec spec, HyperParameters base, String snapshotId,
        StudyState state, long createdAtMs, long deadlineMs, boolean stopRequested, long finishedAtMs) {

    public static final String COLLECTION = "studies";
    /** Stop requests, by study id: see {@link StudyStore#requestStop}. */
    public static final String STOPS = "study_stops";

    public enum StudyState {
        RUNNING, COMPLETE, STOPPED
    }

    Document toDocument() {
        try {
            return new Document("_id", id).append("task", task).append("spec", JsonFormat.printer().print(spec))
                    .append("base", JsonFormat.printer().print(base))
                    .append("snapshotId", snapshotId).append("state", state.name()).append("createdAtMs",
                            createdAtMs)
                    .append("deadlineMs", deadlineMs).append("stopRequested", stopRequested).append("finishedAtMs",
                            finishedAtMs);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    static StudyRecord fromDocument(Document d) {
        StudySpec.Builder spec = StudySpec.newBuilder();
        HyperParameters.Builder base = HyperParameters.newBuilder();
        try {
            JsonFormat.parser().merge(d.getString("spec"), spec);
            JsonFormat.parser().merge(d.getString("base"), base);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("study " + d.get("_id") + " has a damaged spec", e);
        }
        return new StudyRecord(d.getString("_id"), d.getString("task"), spec.build(), base.build(), d.getString(
                "snapshotId"),
                StudyState.valueOf(d.getString("state")), d.getLong("createdAtMs"), d.getLong("deadlineMs"), d
                        .getBoolean("stopRequested", false),
                d.getLong("finishedAtMs"));
    }
}
