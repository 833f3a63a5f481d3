package io.finetide.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.finetide.operator.resource.FineTuningTaskStatus;
import io.finetide.operator.resource.FineTuningTaskStatus.Condition;
import io.finetide.operator.tasks.TaskApplication;
import io.finetide.operator.tasks.TaskApplication.Outcome;
import io.finetide.proto.v1.EventMeta;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelRolledBackEvent;
import io.finetide.proto.v1.TrainingProgressEvent;

class TaskStateTest {

    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    static final Instant T1 = Instant.parse("2026-12-04T10:05:00Z");
    static final Instant T2 = Instant.parse("2026-12-04T10:10:00Z");
    static final EventMeta META = EventMeta.newBuilder().setTask("reviews").setOccurredAtMs(T0.toEpochMilli()).build();

    @Test
    void aRefusedSpecKeepsTheLastAppliedRevisionAndSaysWhy() {
        TaskState s = new TaskState();
        s.applied(1, new TaskApplication(Outcome.CREATED, 1, ""), T0);
        s.applied(2, new TaskApplication(Outcome.REFUSED, 0, "INVALID_TASK: a; b"), T1);
        FineTuningTaskStatus status = s.status();
        assertThat(status.revision()).isEqualTo(1);
        assertThat(status.observedGeneration()).isEqualTo(2);
        assertThat(condition(status, "Ready")).isEqualTo(new Condition("Ready", "False", "InvalidSpec",
                "INVALID_TASK: a; b", T1.toString()));
    }

    @Test
    void aConditionKeepsItsTransitionTimeWhileItsStatusStays() {
        TaskState s = new TaskState();
        s.applied(1, new TaskApplication(Outcome.CREATED, 1, ""), T0);
        s.applied(2, new TaskApplication(Outcome.APPLIED, 2, ""), T1);
        assertThat(condition(s.status(), "Ready").lastTransitionTime()).isEqualTo(T0.toString());
        assertThat(condition(s.status(), "Ready").message()).contains("revision 2");
        s.applied(3, new TaskApplication(Outcome.UNREACHABLE, 0, "connection refused"), T2);
        assertThat(condition(s.status(), "Ready")).extracting(Condition::status, Condition::reason,
                Condition::lastTransitionTime).containsExactly("Unknown", "IngestionUnreachable", T2.toString());
        assertThat(s.status().revision()).isEqualTo(2);
    }

    @Test
    void trainingAndDegradedFollowThePipeline() {
        TaskState s = new TaskState();
        assertThat(s.status().observedGeneration()).as("never applied").isNull();
        s.progress(run(TrainingProgressEvent.Phase.STARTED), T0);
        assertThat(condition(s.status(), "Training").status()).isEqualTo("True");
        s.progress(run(TrainingProgressEvent.Phase.FAILED).toBuilder().setMessage("out of memory").build(), T1);
        assertThat(condition(s.status(), "Training").reason()).isEqualTo("RunFailed");
        assertThat(condition(s.status(), "Degraded")).extracting(Condition::status, Condition::reason).containsExactly(
                "True", "TrainingFailed");
        s.progress(run(TrainingProgressEvent.Phase.FINISHED), T1);
        s.promoted(ModelPromotedEvent.newBuilder().setMeta(META).setModelId("reviews-m2").setVersion(2).build(), T1);
        assertThat(condition(s.status(), "Degraded").status()).isEqualTo("False");
        assertThat(s.status().champion().modelId()).isEqualTo("reviews-m2");
        assertThat(s.status().lastPromotionTime()).isEqualTo(T0.toString());

        s.rolledBack(ModelRolledBackEvent.newBuilder().setMeta(META).setModelId("reviews-m2").setRestoredModelId(
                "reviews-m1").setReason("live accuracy fell").build(), T2);
        // The restored champion's own promotion does not clear the rollback; only a new model does.
        s.promoted(ModelPromotedEvent.newBuilder().setMeta(META).setModelId("reviews-m1").setVersion(1)
                .setRestoredAfter("reviews-m2").build(), T2);
        assertThat(condition(s.status(), "Degraded")).extracting(Condition::status, Condition::reason).containsExactly(
                "True", "RolledBack");
        assertThat(s.status().champion().modelId()).isEqualTo("reviews-m1");
        s.promoted(ModelPromotedEvent.newBuilder().setMeta(META).setModelId("reviews-m3").setVersion(3).build(), T2);
        assertThat(condition(s.status(), "Degraded").status()).isEqualTo("False");
    }

    static TrainingProgressEvent run(TrainingProgressEvent.Phase phase) {
        return TrainingProgressEvent.newBuilder().setMeta(META).setRunId("reviews-m2-run").setSnapshotId("reviews-v2")
                .setPhase(phase).setEpoch(1).setEpochs(3).build();
    }

    static Condition condition(FineTuningTaskStatus status, String type) {
        return status.conditions().stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
    }
}
