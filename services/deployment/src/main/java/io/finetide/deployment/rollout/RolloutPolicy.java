package io.finetide.deployment.rollout;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.config.DeploymentConfig.DeliveryMode;

/** The progressive-delivery settings in effect for one task: the service's, with the task's overrides. */
public record RolloutPolicy(DeliveryMode mode, int shadowMinRequests, int shadowMinFeedback, double canaryShare,
        int canaryMinRequests, int canaryMinFeedback, double tolerance) {

    public RolloutPolicy {
        if (shadowMinRequests < 1 || shadowMinFeedback < 1 || canaryMinRequests < 1 || canaryMinFeedback < 1) {
            throw new IllegalArgumentException("every rollout stage needs at least 1 request and 1 feedback event");
        }
        if (!(canaryShare > 0 && canaryShare < 1)) {
            throw new IllegalArgumentException("the canary share is in (0, 1), not " + canaryShare);
        }
        if (tolerance < 0 || tolerance >= 1) {
            throw new IllegalArgumentException("the rollout tolerance is in [0, 1), not " + tolerance);
        }
    }

    public static RolloutPolicy of(DeploymentConfig.Rollout service, String task) {
        DeploymentConfig.TaskRollout own = service.tasks().get(task);
        if (own == null) {
            return new RolloutPolicy(service.mode(), service.shadowMinRequests(), service.shadowMinFeedback(),
                    service.canaryShare(), service.canaryMinRequests(), service.canaryMinFeedback(), service
                            .tolerance());
        }
        return new RolloutPolicy(own.mode().orElse(service.mode()), own.shadowMinRequests().orElse(service
                .shadowMinRequests()), own.shadowMinFeedback().orElse(service.shadowMinFeedback()), own.canaryShare()
                        .orElse(service.canaryShare()),
                own.canaryMinRequests().orElse(service.canaryMinRequests()),
                own.canaryMinFeedback().orElse(service.canaryMinFeedback()), own.tolerance().orElse(service
                        .tolerance()));
    }

    public boolean progressive() {
        return mode == DeliveryMode.PROGRESSIVE;
    }
}
