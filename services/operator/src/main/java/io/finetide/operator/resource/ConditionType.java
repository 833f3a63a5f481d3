package io.finetide.operator.resource;

/** The conditions a {@link FineTuningTask} reports, by their Kubernetes names. */
public enum ConditionType {
    /** The spec is applied to the platform as the current revision. */
    READY("Ready"),
    /** A training run of the task is in progress. */
    TRAINING("Training"),
    /** The task's last training run failed, or its champion was rolled back and nothing newer was promoted. */
    DEGRADED("Degraded");

    private final String kubernetesName;

    ConditionType(String kubernetesName) {
        this.kubernetesName = kubernetesName;
    }

    public String kubernetesName() {
        return kubernetesName;
    }
}
