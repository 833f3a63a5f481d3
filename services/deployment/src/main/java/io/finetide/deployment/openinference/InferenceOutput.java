package io.finetide.deployment.openinference;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The outputs of a text classifier under the Open Inference Protocol. */
public enum InferenceOutput {
    /** The most likely label of each text: BYTES, shape [n]. */
    LABEL("label", Datatype.BYTES),
    /** Its probability (calibrated): FP32, shape [n]. */
    CONFIDENCE("confidence", Datatype.FP32),
    /** Every label's probability, in the order of the model's labels: FP32, shape [n, labels]. */
    PROBABILITIES("probabilities", Datatype.FP32),
    /** The id that names the answer in feedback ({@code POST /api/v1/tasks/<task>/feedback}): BYTES, shape [n]. */
    PREDICTION_ID("prediction_id", Datatype.BYTES);

    public enum Datatype {
        BYTES, FP32
    }

    private final String wireName;
    private final Datatype datatype;

    InferenceOutput(String wireName, Datatype datatype) {
        this.wireName = wireName;
        this.datatype = datatype;
    }

    public String wireName() {
        return wireName;
    }

    public Datatype datatype() {
        return datatype;
    }

    static Optional<InferenceOutput> named(String name) {
        return Arrays.stream(values()).filter(o -> o.wireName.equals(name)).findFirst();
    }

    static List<String> names() {
        return Arrays.stream(values()).map(InferenceOutput::wireName).toList();
    }
}
