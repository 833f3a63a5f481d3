package io.finetide.deployment.delivery;

import io.finetide.deployment.config.DeploymentConfig;

/** The rollback settings in effect for one task: the service's, with the task's overrides. */
public record RollbackPolicy(boolean enabled, int minFeedback, double tolerance) {

    public RollbackPolicy {
        if (minFeedback < 1 || tolerance < 0 || tolerance >= 1) {
            throw new IllegalArgumentException("rollback needs at least 1 feedback event and a tolerance in [0, 1): "
                    + minFeedback + ", " + tolerance);
        }
    }

    static RollbackPolicy of(DeploymentConfig.Rollback service, String task) {
        DeploymentConfig.TaskRollback own = service.tasks().get(task);
        if (own == null) {
            return new RollbackPolicy(service.enabled(), service.minFeedback(), service.tolerance());
        }
        return new RollbackPolicy(own.enabled().orElse(service.enabled()), own.minFeedback().orElse(service
                .minFeedback()), own.tolerance().orElse(service.tolerance()));
    }
}
