package io.finetide.training.store;

import org.bson.Document;

/**
 * What one differentially private run was charged, in collection {@code privacy_ledger}, keyed by snapshot id: written
 * before the run's first update and never removed (deleting examples refunds nothing), so a replayed or resumed run
 * finds its charge instead of paying twice, and draws the same secret noise.
 *
 * @param noiseSeed the run's secret: it stays in this record, never in an event, log, metric or bundle
 */
public record PrivacyChargeRecord(String snapshotId, String task, String modelId, double samplingRate,
        double noiseMultiplier, long steps, double clipNorm, double delta, double epsilon, long noiseSeed,
        long chargedAtMs) {

    public static final String COLLECTION = "privacy_ledger";

    Document toDocument() {
        return new Document("_id", snapshotId).append("task", task).append("modelId", modelId).append("samplingRate",
                samplingRate).append("noiseMultiplier", noiseMultiplier).append("steps", steps).append("clipNorm",
                        clipNorm)
                .append("delta", delta).append("epsilon", epsilon).append("noiseSeed", noiseSeed)
                .append("chargedAtMs", chargedAtMs);
    }

    static PrivacyChargeRecord fromDocument(Document d) {
        return new PrivacyChargeRecord(d.getString("_id"), d.getString("task"), d.getString("modelId"), d.getDouble(
                "samplingRate"), d.getDouble("noiseMultiplier"), ((Number) d.get("steps")).longValue(),
                d.getDouble(
                        "clipNorm"),
                d.getDouble("delta"), d.getDouble("epsilon"), ((Number) d.get("noiseSeed"))
                        .longValue(),
                ((Number) d.get("chargedAtMs")).longValue());
    }
}
