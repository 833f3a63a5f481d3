package io.finetide.training.studies;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import io.finetide.model.search.Importance;
import io.finetide.training.store.StudyRecord;
import io.finetide.training.store.TrialRecord;

/**
 * A study as its API shows it: the spec, where it stands, each trial with its values and per-epoch figures, the best
 * complete trial, and how much each parameter mattered ({@link Importance}: the correlation ratio over the complete
 * trials, scaled to sum to 1).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StudyView(String id, String task, StudyRecord.StudyState state, boolean stopRequested,
        String snapshotId, @JsonRawValue String spec, long createdAtMs, long deadlineMs, long finishedAtMs,
        Map<TrialRecord.TrialState, Long> trialsByState, Best best, Map<String, Double> importance,
        List<Trial> trials) {

    public record Best(int trial, double value, Map<String, Object> parameters) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Trial(int number, TrialRecord.TrialState state, Map<String, Object> parameters,
            List<TrialRecord.Epoch> epochs, Double value, long steps, int attempt, String owner, String message,
            long startedAtMs, long finishedAtMs) {
    }

    public static StudyView of(StudyRecord s, List<TrialRecord> trials) {
        Map<TrialRecord.TrialState, Long> counts = new LinkedHashMap<>();
        for (TrialRecord.TrialState state : TrialRecord.TrialState.values()) {
            counts.put(state, trials.stream().filter(t -> t.state() == state).count());
        }
        List<TrialRecord> complete = trials.stream().filter(t -> t.state() == TrialRecord.TrialState.COMPLETE)
                .toList();
        Best best = StudyService.best(trials).map(b -> new Best(b.number(), b.value(), b.parameters())).orElse(null);
        Map<String, Double> importance = Importance.of(SearchSpaces.of(s.spec()), Proposals.observations(SearchSpaces
                .of(s.spec()), complete));
        try {
            return new StudyView(s.id(), s.task(), s.state(), s.stopRequested(), s.snapshotId(), JsonFormat.printer()
                    .print(s.spec()), s.createdAtMs(), s.deadlineMs(), s.finishedAtMs(), counts, best, importance,
                    trials.stream().map(t -> new Trial(t.number(), t.state(), t.parameters(), t.epochs(), Double
                            .isNaN(t.value()) ? null : t.value(), t.steps(), t.attempt(), t.owner().isEmpty()
                                    ? null
                                    : t
                                            .owner(),
                            t.message().isEmpty() ? null : t.message(), t.startedAtMs(), t.finishedAtMs()))
                            .toList());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
