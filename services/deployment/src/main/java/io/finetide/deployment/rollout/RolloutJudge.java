package io.finetide.deployment.rollout;

import java.util.Locale;

import io.finetide.proto.v1.RolloutStage;

/**
 * Whether a candidate in rollout moves on, stays, or leaves. A stage is passed once the candidate has seen its
 * minimum of requests and of feedback events without its live accuracy falling below the reference (the champion's
 * live accuracy, or its own offline figure while the champion has no feedback) by more than the tolerance; once its
 * feedback is enough to judge, a fall below that bound aborts the rollout at once. Too little feedback never aborts:
 * a few unlucky answers are not evidence.
 */
public final class RolloutJudge {

    public enum Decision {
        WAIT, ADVANCE, ABORT
    }

    /**
     * What the stage has seen: requests the candidate scored or answered, feedback events on them, its live accuracy,
     * and the reference with what it is ({@code "the champion's live accuracy"}).
     */
    public record Evidence(long requests, long feedback, double candidateAccuracy, double referenceAccuracy,
            String reference) {
    }

    public record Verdict(Decision decision, String reason) {
    }

    private RolloutJudge() {
    }

    public static Verdict judge(RolloutPolicy policy, RolloutStage stage, Evidence e) {
        boolean shadow = stage == RolloutStage.ROLLOUT_SHADOW;
        if (!shadow && stage != RolloutStage.ROLLOUT_CANARY) {
            throw new IllegalArgumentException("only a rollout in shadow or canary is judged, not " + stage);
        }
        int minRequests = shadow ? policy.shadowMinRequests() : policy.canaryMinRequests();
        int minFeedback = shadow ? policy.shadowMinFeedback() : policy.canaryMinFeedback();
        String stageName = shadow ? "shadow" : "canary";
        if (e.feedback() >= minFeedback && e.candidateAccuracy() < e.referenceAccuracy() - policy.tolerance()) {
            return new Verdict(Decision.ABORT, String.format(Locale.ROOT, "in %s, live accuracy %.4f after %d "
                    + "feedback events is below %s %.4f by more than %.4f", stageName, e.candidateAccuracy(),
                    e
                            .feedback(),
                    e.reference(), e.referenceAccuracy(), policy.tolerance()));
        }
        if (e.requests() >= minRequests && e.feedback() >= minFeedback) {
            return new Verdict(Decision.ADVANCE, String.format(Locale.ROOT, "%s passed: %d requests, %d feedback "
                    + "events, live accuracy %.4f against %s %.4f (tolerance %.4f)", stageName, e.requests(),
                    e
                            .feedback(),
                    e.candidateAccuracy(), e.reference(), e.referenceAccuracy(), policy
                            .tolerance()));
        }
        return new Verdict(Decision.WAIT, String.format(Locale.ROOT, "in %s: %d of %d requests, %d of %d feedback "
                + "events", stageName, e.requests(), minRequests, e.feedback(), minFeedback));
    }
}
