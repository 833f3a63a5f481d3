package io.finetide.deployment.store;

import org.bson.Document;

/**
 * A model in the registry (collection {@code models}, keyed by model id) with its lineage: the dataset snapshot it
 * was trained on, the model it continued from, its hyper-parameters, and its metrics and stage; once judged, its size
 * and latency as its evaluation measured them (null before).
 */
public record ModelRecord(String modelId, String task, int version, String snapshotId, String parentModelId,
        String artifact, String hyperParameters, double validationAccuracy, long trainExamples, long trainingMillis,
        String stage, Double testAccuracy, Double testMacroF1, String decisionReason, long createdAtMs,
        Long promotedAtMs, Long retiredAtMs, Long parameters, Long bundleBytes, Double latencyMsP50) {

    public static final String COLLECTION = "models";

    public static final String CANDIDATE = "CANDIDATE";
    /** A blessed candidate scoring a copy of live traffic beside the champion (progressive delivery). */
    public static final String SHADOW = "SHADOW";
    /** A blessed candidate answering a share of live traffic. */
    public static final String CANARY = "CANARY";
    /** A candidate taken out of its rollout: worse live results, an admin, or a newer candidate. */
    public static final String ABORTED = "ABORTED";
    public static final String REJECTED = "REJECTED";
    public static final String CHAMPION = "CHAMPION";
    public static final String RETIRED = "RETIRED";
    /** A champion taken out of service because of its live results (or by an admin); never served again by itself. */
    public static final String ROLLED_BACK = "ROLLED_BACK";

    public Document toDocument() {
        return new Document("_id", modelId).append("task", task).append("version", version)
                .append("snapshotId", snapshotId).append("parentModelId", parentModelId).append("artifact", artifact)
                .append("hyperParameters", hyperParameters).append("validationAccuracy", validationAccuracy)
                .append("trainExamples", trainExamples).append("trainingMillis", trainingMillis)
                .append("stage", stage).append("testAccuracy", testAccuracy).append("testMacroF1", testMacroF1)
                .append("decisionReason", decisionReason).append("createdAtMs", createdAtMs)
                .append("promotedAtMs", promotedAtMs).append("retiredAtMs", retiredAtMs)
                .append("parameters", parameters).append("bundleBytes", bundleBytes)
                .append("latencyMsP50", latencyMsP50);
    }

    public static ModelRecord fromDocument(Document d) {
        return new ModelRecord(d.getString("_id"), d.getString("task"), d.getInteger("version", 0),
                d.getString("snapshotId"), d.getString("parentModelId"), d.getString("artifact"),
                d.getString("hyperParameters"), d.getDouble("validationAccuracy"), d.getLong("trainExamples"),
                d.getLong("trainingMillis"), d.getString("stage"), d.getDouble("testAccuracy"),
                d.getDouble("testMacroF1"), d.getString("decisionReason"), d.getLong("createdAtMs"),
                d.getLong("promotedAtMs"), d.getLong("retiredAtMs"), d.getLong("parameters"), d.getLong(
                        "bundleBytes"),
                d.getDouble("latencyMsP50"));
    }
}
