package io.finetide.deployment.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.finetide.deployment.config.DeploymentConfig.DeliveryMode;
import io.finetide.deployment.rollout.RolloutJudge.Decision;
import io.finetide.deployment.rollout.RolloutJudge.Evidence;
import io.finetide.proto.v1.RolloutStage;

class RolloutJudgeTest {

    private static final RolloutPolicy POLICY = new RolloutPolicy(DeliveryMode.PROGRESSIVE, 200, 100, 0.1, 300, 150,
            0.02);
    private static final String CHAMPION = "the champion's live accuracy";

    @Test
    void aStageIsPassedOnlyWithEnoughRequestsAndFeedbackAndNoFall() {
        assertThat(judge(RolloutStage.ROLLOUT_SHADOW, 199, 100, 0.9, 0.9)).isEqualTo(Decision.WAIT);
        assertThat(judge(RolloutStage.ROLLOUT_SHADOW, 200, 99, 0.9, 0.9)).isEqualTo(Decision.WAIT);
        assertThat(judge(RolloutStage.ROLLOUT_SHADOW, 200, 100, 0.9, 0.9)).isEqualTo(Decision.ADVANCE);
        // The canary's own minimums, not the shadow's.
        assertThat(judge(RolloutStage.ROLLOUT_CANARY, 299, 150, 0.9, 0.9)).isEqualTo(Decision.WAIT);
        assertThat(judge(RolloutStage.ROLLOUT_CANARY, 300, 149, 0.9, 0.9)).isEqualTo(Decision.WAIT);
        assertThat(judge(RolloutStage.ROLLOUT_CANARY, 300, 150, 0.9, 0.9)).isEqualTo(Decision.ADVANCE);
    }

    @Test
    void aFallWithinTheToleranceStillPassesAndOneBeyondItAbortsOnceTheFeedbackIsEnough() {
        assertThat(judge(RolloutStage.ROLLOUT_CANARY, 300, 150, 0.881, 0.90)).isEqualTo(Decision.ADVANCE);
        assertThat(judge(RolloutStage.ROLLOUT_CANARY, 300, 150, 0.879, 0.90)).isEqualTo(Decision.ABORT);
        // Too little feedback is not evidence, however bad it looks.
        assertThat(judge(RolloutStage.ROLLOUT_CANARY, 300, 149, 0.0, 0.90)).isEqualTo(Decision.WAIT);
        // An abort needs no minimum of requests.
        assertThat(judge(RolloutStage.ROLLOUT_SHADOW, 10, 100, 0.5, 0.90)).isEqualTo(Decision.ABORT);
    }

    @Test
    void withoutAReferenceNothingIsAbortedAndTheReasonSaysWhy() {
        assertThat(judge(RolloutStage.ROLLOUT_SHADOW, 200, 100, 0.1, Double.NaN)).isEqualTo(Decision.ADVANCE);
        RolloutJudge.Verdict v = RolloutJudge.judge(POLICY, RolloutStage.ROLLOUT_CANARY, new Evidence(300, 150, 0.7,
                0.8, CHAMPION));
        assertThat(v.reason()).isEqualTo("in canary, live accuracy 0.7000 after 150 feedback events is below the "
                + "champion's live accuracy 0.8000 by more than 0.0200");
        assertThat(RolloutJudge.judge(POLICY, RolloutStage.ROLLOUT_SHADOW, new Evidence(12, 3, 1, 1, CHAMPION))
                .reason()).isEqualTo("in shadow: 12 of 200 requests, 3 of 100 feedback events");
        assertThatThrownBy(() -> RolloutJudge.judge(POLICY, RolloutStage.ROLLOUT_PROMOTED, new Evidence(1, 1, 1, 1,
                CHAMPION))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPolicyRefusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> new RolloutPolicy(DeliveryMode.PROGRESSIVE, 1, 1, 1.0, 1, 1, 0)).hasMessageContaining(
                "canary share");
        assertThatThrownBy(() -> new RolloutPolicy(DeliveryMode.PROGRESSIVE, 0, 1, 0.1, 1, 1, 0)).hasMessageContaining(
                "at least 1 request");
    }

    private static Decision judge(RolloutStage stage, long requests, long feedback, double candidate,
            double champion) {
        return RolloutJudge.judge(POLICY, stage, new Evidence(requests, feedback, candidate, champion, CHAMPION))
                .decision();
    }
}
