package io.finetide.training.runs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a model came from, as its bundle's {@code metadata.json} records it: the run, the data, the model it
 * continued (empty from a base), the base, the chosen epoch and how it was trained.
 */
record BundleProvenance(String modelId, String task, String snapshotId, String snapshotSha256, String parentModelId,
        String baseModel, int bestEpoch, double validationAccuracy, String hyperParameters, String strategy) {

    /** The bundle's metadata, under the keys bundles have always used. */
    Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("modelId", modelId);
        m.put("task", task);
        m.put("snapshotId", snapshotId);
        m.put("snapshotSha256", snapshotSha256);
        m.put("parentModelId", parentModelId);
        m.put("baseModel", baseModel);
        m.put("bestEpoch", bestEpoch);
        m.put("validationAccuracy", validationAccuracy);
        m.put("hyperParameters", hyperParameters);
        m.put("strategy", strategy);
        return m;
    }
}
