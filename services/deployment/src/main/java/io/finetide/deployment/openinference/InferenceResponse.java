package io.finetide.deployment.openinference;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finetide.model.infer.Classifier;

/**
 * The answer to an {@link InferenceRequest}: a JSON document, followed by the binary tensors the request asked for as
 * binary (then {@link #headerLength()} is the JSON's length, for the {@code Inference-Header-Content-Length} header).
 */
public record InferenceResponse(byte[] body, Integer headerLength) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param model the protocol's model name (the task)
     * @param version the protocol's name of the answering model's version ({@code OpenInferenceModels.versionName})
     * @param ids the prediction ids, one per prediction
     */
    public static InferenceResponse of(String model, String version, InferenceRequest request, List<String> labels,
            List<Classifier.Prediction> predictions, List<String> ids) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model_name", model);
        root.put("model_version", version);
        if (request.id() != null) {
            root.put("id", request.id());
        }
        ArrayNode outputs = root.putArray("outputs");
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        for (Map.Entry<InferenceOutput, Boolean> asked : request.outputs().entrySet()) {
            InferenceOutput output = asked.getKey();
            ObjectNode tensor = outputs.addObject();
            tensor.put("name", output.wireName());
            tensor.put("datatype", output.datatype().name());
            ArrayNode shape = tensor.putArray("shape").add(predictions.size());
            if (output == InferenceOutput.PROBABILITIES) {
                shape.add(labels.size());
            }
            if (asked.getValue()) {
                byte[] bytes = binary(output, predictions, ids);
                tensor.putObject("parameters").put("binary_data_size", bytes.length);
                binary.writeBytes(bytes);
            } else {
                json(output, predictions, ids, tensor.putArray("data"));
            }
        }
        byte[] header;
        try {
            header = JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (binary.size() == 0) {
            return new InferenceResponse(header, null);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(header.length + binary.size());
        body.writeBytes(header);
        body.writeBytes(binary.toByteArray());
        return new InferenceResponse(body.toByteArray(), header.length);
    }

    private static void json(InferenceOutput output, List<Classifier.Prediction> predictions, List<String> ids,
            ArrayNode data) {
        for (int i = 0; i < predictions.size(); i++) {
            Classifier.Prediction p = predictions.get(i);
            switch (output) {
                case PREDICTION_ID -> data.add(ids.get(i));
                case LABEL -> data.add(p.label());
                case CONFIDENCE -> data.add(p.confidence());
                case PROBABILITIES -> {
                    for (float f : p.probabilities()) {
                        data.add(f);
                    }
                }
            }
        }
    }

    /** Triton's binary layout: FP32 little-endian, row-major; BYTES as a 4-byte little-endian length, then bytes. */
    static byte[] binary(InferenceOutput output, List<Classifier.Prediction> predictions,
            List<String> ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < predictions.size(); i++) {
            Classifier.Prediction p = predictions.get(i);
            switch (output) {
                case LABEL -> string(out, p.label());
                case PREDICTION_ID -> string(out, ids.get(i));
                case CONFIDENCE -> out.writeBytes(floats(new float[]{p.confidence()}));
                case PROBABILITIES -> out.writeBytes(floats(p.probabilities()));
            }
        }
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }

    private static byte[] floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
