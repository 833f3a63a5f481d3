package io.finetide.training.studies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.SearchParameter;
import io.finetide.proto.v1.StudySampler;
import io.finetide.proto.v1.StudySpec;
import io.finetide.training.store.StudyRecord;
import io.finetide.training.store.TrialRecord;

class StudyServiceTest {

    static StudyRecord study(StudySpec spec, long deadlineMs, boolean stopRequested) {
        return new StudyRecord("t-s1", "t", spec, HyperParameters.getDefaultInstance(), "t-v1",
                StudyRecord.StudyState.RUNNING, 1_000, deadlineMs, stopRequested, 0);
    }

    static final StudySpec SPEC = StudySpec.newBuilder().setSampler(StudySampler.RANDOM).setTrials(5).addParameters(
            SearchParameter.newBuilder().setName("epochs").setLow(1).setHigh(3)).build();

    @Test
    void noTrialStartsPastTheBudgetTheDeadlineOrAStop() {
        assertThat(StudyService.mayStart(study(SPEC, 0, false), 4, 5_000)).isTrue();
        assertThat(StudyService.mayStart(study(SPEC, 0, false), 5, 5_000)).as("five trials: 0 to 4").isFalse();
        assertThat(StudyService.mayStart(study(SPEC, 61_000, false), 1, 61_000)).isTrue();
        assertThat(StudyService.mayStart(study(SPEC, 61_000, false), 1, 61_001)).as("past the time budget")
                .isFalse();
        assertThat(StudyService.mayStart(study(SPEC, 0, true), 1, 5_000)).as("stopped").isFalse();
        // A grid's points bound it too: epochs 1 to 3 make three.
        StudySpec grid = SPEC.toBuilder().setSampler(StudySampler.GRID).build();
        assertThat(StudyService.mayStart(study(grid, 0, false), 2, 5_000)).isTrue();
        assertThat(StudyService.mayStart(study(grid, 0, false), 3, 5_000)).isFalse();
    }

    @Test
    void theBestIsTheCompleteTrialWithTheHighestFigureTheEarliestAmongEquals() {
        List<TrialRecord> trials = List.of(trial(0, TrialRecord.TrialState.COMPLETE, 0.8), trial(1,
                TrialRecord.TrialState.PRUNED, 0.95), trial(2, TrialRecord.TrialState.COMPLETE, 0.9),
                trial(3,
                        TrialRecord.TrialState.COMPLETE, 0.9));
        assertThat(StudyService.best(trials)).hasValueSatisfying(b -> assertThat(b.number()).isEqualTo(2));
        assertThat(StudyService.best(trials.subList(1, 2))).isEmpty();
    }

    static TrialRecord trial(int n, TrialRecord.TrialState state, double value) {
        return new TrialRecord("t-s1", "t", n, Map.of("epochs", n + 1), state, List.of(), value, 0, "o", 1, true, 0,
                0, 0, "");
    }
}
