package io.finetide.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.model.train.TrainingListener;
import io.finetide.training.api.TrainingRunResource;
import io.finetide.training.runs.LiveRuns;
import io.finetide.training.store.TrainingRunRecord;

/** The training-runs API's answer: the stored run's fields as before, and a running run's progress beside them. */
class TrainingRunViewTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRunningRunShowsWhereItStandsAndAFinishedOneDoesNot() {
        TrainingRunRecord running = new TrainingRunRecord("t-v2", "t", "t-m2", TrainingRunRecord.RUNNING, "t-m1",
                1000, 0, List.of(), "", "");
        // Epoch 2 of 3, 30 of 45 updates, 240 examples an epoch of which 80 seen in this one, at 40 examples/s:
        // (3 - 2 + 1) * 240 - 80 = 400 examples left, 10 s.
        TrainingListener.Steps steps = new TrainingListener.Steps(2, 3, 30, 45, 80, 240, 0.5, 1e-3, 40);
        LiveRuns.Progress progress = LiveRuns.Progress.of(steps, 5000);
        JsonNode view = JSON.valueToTree(new TrainingRunResource.TrainingRun(running, progress));
        assertThat(view.path("modelId").asText()).isEqualTo("t-m2");
        assertThat(view.path("status").asText()).isEqualTo("RUNNING");
        assertThat(view.path("progress").path("step").asLong()).isEqualTo(30);
        assertThat(view.path("progress").path("fraction").asDouble()).isEqualTo(30 / 45.0);
        assertThat(view.path("progress").path("etaSeconds").asDouble()).isEqualTo(10.0);
        assertThat(view.path("progress").path("examplesPerSecond").asDouble()).isEqualTo(40.0);

        TrainingRunRecord done = new TrainingRunRecord("t-v2", "t", "t-m2", TrainingRunRecord.COMPLETED, "t-m1",
                1000, 9000, List.of(), "best epoch 2", "");
        JsonNode finished = JSON.valueToTree(new TrainingRunResource.TrainingRun(done, null));
        assertThat(finished.has("progress")).isFalse();
        assertThat(finished.path("finishedAtMs").asLong()).isEqualTo(9000);
    }

    @Test
    void beforeThePaceIsKnownNoTimeIsPromised() {
        TrainingListener.Steps first = new TrainingListener.Steps(1, 2, 0, 20, 0, 100, 0, 0, 0);
        assertThat(first.etaSeconds()).isNaN();
        assertThat(LiveRuns.Progress.of(first, 0).etaSeconds()).isNull();
        assertThat(first.fraction()).isZero();
    }
}
