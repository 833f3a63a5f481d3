package io.finetide.training.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;

/**
 * One trial of a study, in collection {@code study_trials} keyed {@code <study>/<number>}: the values it tries, its
 * validation figures epoch by epoch, its state, and which training instance runs it.
 *
 * @param parameters {@link Double}, {@link Integer} or {@link String} per searched name active in this trial
 * @param epochs     validation after each epoch done
 * @param value      the best epoch's selection figure (higher is better) once complete or pruned
 * @param steps      optimisation updates the trial made (what it cost)
 * @param owner      the instance that runs (or ran) it; only the owner's updates count
 * @param attempt    how many times it was started (more than 1: re-run or resumed after a crash)
 * @param sent       handed out on the trials topic (a trial proposed and not sent is sent by whoever replays)
 * @param partition  the partition it was sent to (-1: not known, Kafka chose)
 */
public record TrialRecord(String studyId, String task, int number, Map<String, Object> parameters, TrialState state,
        List<Epoch> epochs, double value, long steps, String owner, int attempt, boolean sent, int partition,
        long startedAtMs, long finishedAtMs, String message) {

    public static final String COLLECTION = "study_trials";
    /** Where each trial was dispatched ({@code _id} the trial's, {@code partition}). */
    public static final String DISPATCHES = "trial_dispatches";

    public enum TrialState {
        QUEUED, RUNNING, PRUNED, COMPLETE, FAILED, CANCELLED;

        public boolean finished() {
            return this != QUEUED && this != RUNNING;
        }
    }

    /** @param value the run's selection figure (higher is better: accuracy, macro-F1 or the negated loss) */
    public record Epoch(int epoch, double value, double validationScore, double validationLoss) {

        Document toDocument() {
            return new Document("epoch", epoch).append("value", stored(value)).append("validationScore", stored(
                    validationScore)).append("validationLoss", stored(validationLoss));
        }

        static Epoch of(Document d) {
            return new Epoch(d.getInteger("epoch"), read(d.getDouble("value")), read(d.getDouble("validationScore")),
                    read(d.getDouble("validationLoss")));
        }
    }

    /** NaN as null: MongoDB keeps NaN, FerretDB refuses the whole message. */
    static Double stored(double v) {
        return Double.isNaN(v) ? null : v;
    }

    static double read(Double v) {
        return v == null ? Double.NaN : v;
    }

    public static String id(String studyId, int number) {
        return studyId + "/" + number;
    }

    public String id() {
        return id(studyId, number);
    }

    /** A trial about to be handed out. */
    public static TrialRecord queued(String studyId, String task, int number, Map<String, Object> parameters) {
        return new TrialRecord(studyId, task, number, parameters, TrialState.QUEUED, List.of(), Double.NaN, 0, "", 0,
                false, -1, 0, 0, "");
    }

    Document toDocument() {
        return new Document("_id", id()).append("studyId", studyId).append("task", task).append("number", number)
                .append("parameters", new Document(parameters)).append("state", state.name()).append("epochs", epochs
                        .stream().map(Epoch::toDocument).toList())
                .append("value", stored(value)).append("steps", steps).append("owner", owner).append("attempt", attempt)
                .append("sent", sent)
                .append("partition", partition)
                .append("startedAtMs", startedAtMs).append("finishedAtMs", finishedAtMs).append("message", message);
    }

    static TrialRecord fromDocument(Document d) {
        Map<String, Object> parameters = new LinkedHashMap<>(d.get("parameters", Document.class));
        return new TrialRecord(d.getString("studyId"), d.getString("task"), d.getInteger("number"), parameters,
                TrialState.valueOf(d.getString("state")), d.getList("epochs", Document.class, List.of()).stream().map(
                        Epoch::of).toList(),
                read(d.getDouble("value")), ((Number) d.get("steps", 0L)).longValue(), d.getString("owner"),
                d.getInteger("attempt"), d.getBoolean("sent", false),
                d
                        .getInteger("partition"),
                d
                        .getLong("startedAtMs"),
                d.getLong("finishedAtMs"), d.getString("message"));
    }
}
