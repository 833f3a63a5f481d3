package io.finetide.operator.resource;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the platform made of a {@link FineTuningTask}.
 *
 * @param observedGeneration the resource generation last applied (or refused)
 * @param revision           the task's revision in the platform after that apply (0: never applied)
 * @param champion           the served model, if any
 * @param lastSnapshot       the newest dataset snapshot
 * @param lastPromotionTime  when the champion was promoted (RFC 3339)
 * @param conditions         {@code Ready}, {@code Training}, {@code Degraded}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FineTuningTaskStatus(Long observedGeneration, Integer revision, Champion champion,
        Snapshot lastSnapshot, String lastPromotionTime, List<Condition> conditions) {

    /** The task's champion as the deployment service announced it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Champion(String modelId, Integer version, Double testMacroF1, Double testAccuracy,
            String snapshotId) {
    }

    /** A dataset version of the task. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Snapshot(String id, Integer version, String time) {
    }

    /**
     * A Kubernetes-style condition.
     *
     * @param status {@code True}, {@code False} or {@code Unknown}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Condition(String type, String status, String reason, String message, String lastTransitionTime) {
    }
}
