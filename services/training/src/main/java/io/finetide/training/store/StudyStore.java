package io.finetide.training.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import io.finetide.platform.store.Documents;

/**
 * Studies, their trials and the snapshots they train on. Every change of a trial is conditional on its state and
 * owner, so that several training instances (and a replayed trial event) can never count a trial twice.
 */
@ApplicationScoped
public class StudyStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> studies() {
        return database.getCollection(StudyRecord.COLLECTION);
    }

    private MongoCollection<Document> trials() {
        return database.getCollection(TrialRecord.COLLECTION);
    }

    /**
     * Where each trial was dispatched, a document of its own: the thread that dispatches a trial and the consumer
     * that claims it would otherwise update one document at the same moment, and FerretDB loses one of two concurrent
     * updates of a document (MongoDB does not); the claim's state was lost, and the trial's run did not count.
     */
    private MongoCollection<Document> dispatches() {
        return database.getCollection(TrialRecord.DISPATCHES);
    }

    /** The trial of document {@code d}, with where it was dispatched. */
    private TrialRecord withDispatch(Document d) {
        Document dispatched = Documents.byId(dispatches(), d.getString("_id"));
        if (dispatched != null) {
            d.append("sent", true).append("partition", dispatched.getInteger("partition"));
        }
        return TrialRecord.fromDocument(d);
    }

    private MongoCollection<Document> snapshots() {
        return database.getCollection(SnapshotRecord.COLLECTION);
    }

    public void putSnapshot(SnapshotRecord s) {
        Documents.put(snapshots(), s.snapshot().getSnapshotId(), s.toDocument());
    }

    public Optional<SnapshotRecord> snapshot(String snapshotId) {
        return Optional.ofNullable(Documents.byId(snapshots(), snapshotId)).map(SnapshotRecord::fromDocument);
    }

    public Optional<SnapshotRecord> latestSnapshot(String task) {
        return Optional.ofNullable(snapshots().find(Filters.eq("task", task)).sort(Sorts.descending("version"))
                .first()).map(SnapshotRecord::fromDocument);
    }

    /** @return false when a study of that id exists already */
    public boolean insertStudy(StudyRecord s) {
        return Documents.insertOnce(studies(), s.id(), s.toDocument());
    }

    /**
     * Stop requests, a document each: a stop that came in the moment the study ended would otherwise be one of two
     * concurrent updates of the study's document, one of which FerretDB loses (the stop, or the end).
     */
    private MongoCollection<Document> stops() {
        return database.getCollection(StudyRecord.STOPS);
    }

    /** The study of document {@code d}, with whether a stop was asked for. */
    private StudyRecord withStop(Document d) {
        if (Documents.byId(stops(), d.getString("_id")) != null) {
            d.append("stopRequested", true);
        }
        return StudyRecord.fromDocument(d);
    }

    public Optional<StudyRecord> study(String id) {
        return Optional.ofNullable(Documents.byId(studies(), id)).map(this::withStop);
    }

    public List<StudyRecord> studies(String task) {
        return withStops(studies().find(Filters.eq("task", task)).sort(Sorts.ascending("createdAtMs")).into(
                new ArrayList<>()));
    }

    /** A study and its trials in order. */
    public record StudyTrials(StudyRecord study, List<TrialRecord> trials) {
    }

    /**
     * The task's studies, oldest first, each with its trials: four queries however many there are (a query per study
     * and per trial made listing 30 studies take seconds on FerretDB).
     */
    public List<StudyTrials> studiesWithTrials(String task) {
        List<StudyRecord> studies = studies(task);
        Map<String, List<TrialRecord>> byStudy = new HashMap<>();
        List<Document> trialDocuments = trials().find(Filters.in("studyId", studies.stream().map(StudyRecord::id)
                .toList())).sort(Sorts.ascending("number")).into(new ArrayList<>());
        for (TrialRecord t : withDispatches(trialDocuments)) {
            byStudy.computeIfAbsent(t.studyId(), k -> new ArrayList<>()).add(t);
        }
        return studies.stream().map(st -> new StudyTrials(st, byStudy.getOrDefault(st.id(), List.of()))).toList();
    }

    /** The studies of {@code documents}, with whether a stop was asked for: one query for all. */
    private List<StudyRecord> withStops(List<Document> documents) {
        Set<String> stopped = new HashSet<>();
        stops().find(Filters.in("_id", documents.stream().map(d -> d.getString("_id")).toList())).forEach(d -> stopped
                .add(d.getString("_id")));
        return documents.stream().map(d -> StudyRecord.fromDocument(stopped.contains(d.getString("_id"))
                ? d.append("stopRequested", true)
                : d)).toList();
    }

    /** The trials of {@code documents}, with where each was dispatched: one query for all. */
    private List<TrialRecord> withDispatches(List<Document> documents) {
        Map<String, Integer> partitions = new HashMap<>();
        dispatches().find(Filters.in("_id", documents.stream().map(d -> d.getString("_id")).toList())).forEach(
                d -> partitions.put(d.getString("_id"), d.getInteger("partition")));
        return documents.stream().map(d -> {
            Integer partition = partitions.get(d.getString("_id"));
            return TrialRecord.fromDocument(partition == null
                    ? d
                    : d.append("sent", true).append("partition",
                            partition));
        }).toList();
    }

    public List<StudyRecord> runningStudies() {
        List<StudyRecord> out = new ArrayList<>();
        studies().find(Filters.eq("state", StudyRecord.StudyState.RUNNING.name())).forEach(d -> out.add(withStop(d)));
        return out;
    }

    public void requestStop(String id) {
        Documents.insertOnce(stops(), id, new Document("atMs", System.currentTimeMillis()));
    }

    /** Ends a running study; only one caller wins. */
    public boolean finishStudy(String id, StudyRecord.StudyState state) {
        return studies().updateOne(Filters.and(Documents.id(id), Filters.eq("state", StudyRecord.StudyState.RUNNING
                .name())), Updates.combine(Updates.set("state", state.name()), Updates.set("finishedAtMs",
                        System
                                .currentTimeMillis())))
                .getModifiedCount() == 1;
    }

    /** @return false when the trial exists already (a replay proposed it again) */
    public boolean insertTrial(TrialRecord t) {
        return Documents.insertOnce(trials(), t.id(), t.toDocument());
    }

    public void sent(String trialId, int partition) {
        Documents.insertOnce(dispatches(), trialId, new Document("partition", partition));
    }

    public Optional<TrialRecord> trial(String trialId) {
        return Optional.ofNullable(Documents.byId(trials(), trialId)).map(this::withDispatch);
    }

    /**
     * Takes a queued trial, or a running one whose owner died (its event came back because the owner never
     * acknowledged it); a finished trial is left alone.
     */
    public Optional<TrialRecord> claim(String trialId, String owner) {
        Document d = trials().findOneAndUpdate(Filters.and(Documents.id(trialId), Filters.in("state",
                TrialRecord.TrialState.QUEUED.name(), TrialRecord.TrialState.RUNNING.name())), Updates.combine(
                        Updates.set("state", TrialRecord.TrialState.RUNNING.name()), Updates.set("owner", owner),
                        Updates.set("startedAtMs", System.currentTimeMillis()), Updates.inc("attempt", 1)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        return Optional.ofNullable(d).map(this::withDispatch);
    }

    /** @return false when the trial is no longer this owner's */
    public boolean epochs(String trialId, String owner, List<TrialRecord.Epoch> epochs) {
        // Matched, not modified: a run resumed from a checkpoint recomputes an epoch the killed attempt had stored,
        // to the same figures, and that leaves the document as it was.
        return trials().updateOne(owned(trialId, owner), Updates.set("epochs", epochs.stream().map(
                TrialRecord.Epoch::toDocument).toList())).getMatchedCount() == 1;
    }

    /** @return false when the trial is no longer this owner's (another instance took it over) */
    public boolean finishTrial(String trialId, String owner, TrialRecord.TrialState state, double value, long steps,
            String message) {
        return trials().updateOne(owned(trialId, owner), Updates.combine(Updates.set("state", state.name()), Updates
                .set("value", TrialRecord.stored(value)), Updates.set("steps", steps), Updates.set("message", message),
                Updates.set("finishedAtMs", System
                        .currentTimeMillis())))
                .getModifiedCount() == 1;
    }

    private static Bson owned(String trialId, String owner) {
        return Filters.and(Documents.id(trialId), Filters.eq("owner", owner), Filters.eq("state",
                TrialRecord.TrialState.RUNNING.name()));
    }

    /** Partitions of the trials topic on which a trial waits or runs, whatever its study. */
    public List<Integer> busyPartitions() {
        List<Integer> out = new ArrayList<>();
        trials().find(Filters.in("state", TrialRecord.TrialState.QUEUED.name(), TrialRecord.TrialState.RUNNING
                .name())).forEach(d -> out.add(withDispatch(d).partition()));
        return out;
    }

    public List<TrialRecord> trials(String studyId) {
        return withDispatches(trials().find(Filters.eq("studyId", studyId)).sort(Sorts.ascending("number")).into(
                new ArrayList<>()));
    }

    /** Every finished trial of the task's studies, oldest study first: what warm-starts a new study. */
    public List<TrialRecord> finishedTrialsOfTask(String task) {
        return studiesWithTrials(task).stream().flatMap(s -> s.trials().stream()).filter(t -> t
                .state() == TrialRecord.TrialState.COMPLETE || t.state() == TrialRecord.TrialState.PRUNED).toList();
    }
}
