package io.finetide.deployment.openinference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.deployment.api.GenerateResource;

/**
 * A request of Triton's generate extension to the Open Inference Protocol ({@code POST /v2/models/{m}/generate}):
 * {@code {"id": ..., "text_input": "...", "parameters": {...}}}, read into Finetide's own generation request. The
 * parameters go by the names the vLLM and TensorRT-LLM backends use: {@code max_tokens}, {@code temperature},
 * {@code top_k}, {@code top_p}, {@code seed}, {@code beam_width}, {@code stop}. Decoding follows from them: beam search
 * when {@code beam_width} is over 1, sampling when a sampling parameter is given (a {@code temperature} of 0 asks for
 * greedy decoding, as in vLLM), greedy otherwise.
 */
record GenerateExtensionRequest(String id, GenerateResource.GenerateRequest request) {

    /** The extension's input and output, as a writer's model metadata names them. */
    static final String TEXT_INPUT = "text_input";
    static final String TEXT_OUTPUT = "text_output";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("id", TEXT_INPUT, "parameters");
    private static final List<String> PARAMETERS = List.of("max_tokens", "temperature", "top_k", "top_p", "seed",
            "beam_width", "stop", "stream");

    static GenerateExtensionRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new InferenceRequest.Invalid("the request is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InferenceRequest.Invalid("the request must be a JSON object with 'text_input'");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InferenceRequest.Invalid("unknown input '" + name + "'; this model reads 'text_input'");
            }
        }
        JsonNode text = root.path(TEXT_INPUT);
        if (!text.isMissingNode() && !text.isTextual()) {
            throw new InferenceRequest.Invalid("'text_input' must be a string");
        }
        JsonNode p = root.path("parameters");
        if (!p.isMissingNode() && !p.isObject()) {
            throw new InferenceRequest.Invalid("'parameters' must be an object");
        }
        for (Map.Entry<String, JsonNode> e : p.properties()) {
            if (!PARAMETERS.contains(e.getKey())) {
                throw new InferenceRequest.Invalid("unknown parameter '" + e.getKey() + "'; this model reads "
                        + PARAMETERS);
            }
        }
        Integer beamWidth = integer(p, "beam_width");
        Double temperature = number(p, "temperature");
        Integer topK = integer(p, "top_k");
        Double topP = number(p, "top_p");
        Long seed = p.hasNonNull("seed") ? longValue(p, "seed") : null;
        boolean greedyByTemperature = temperature != null && temperature == 0.0;
        if (greedyByTemperature) {
            temperature = null;
        }
        String decoding;
        if (beamWidth != null && beamWidth > 1) {
            decoding = "BEAM";
        } else if (!greedyByTemperature && (temperature != null || topK != null || topP != null || seed != null)) {
            decoding = "SAMPLING";
            beamWidth = beamWidth != null && beamWidth == 1 ? null : beamWidth;
        } else {
            decoding = "GREEDY";
            beamWidth = beamWidth != null && beamWidth == 1 ? null : beamWidth;
        }
        JsonNode stream = p.path("stream");
        if (!stream.isMissingNode() && !stream.isBoolean()) {
            throw new InferenceRequest.Invalid("parameter 'stream' must be true or false");
        }
        return new GenerateExtensionRequest(root.hasNonNull("id") ? root.get("id").asText() : null,
                new GenerateResource.GenerateRequest(text.isTextual() ? text.asText() : null, integer(p, "max_tokens"),
                        decoding, beamWidth, temperature, topK, topP, seed, stops(p.path("stop")), stream
                                .isBoolean() ? stream.asBoolean() : null));
    }

    private static Integer integer(JsonNode p, String name) {
        JsonNode v = p.path(name);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InferenceRequest.Invalid("parameter '" + name + "' must be an integer");
        }
        return v.asInt();
    }

    private static long longValue(JsonNode p, String name) {
        JsonNode v = p.path(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new InferenceRequest.Invalid("parameter '" + name + "' must be an integer");
        }
        return v.asLong();
    }

    private static Double number(JsonNode p, String name) {
        JsonNode v = p.path(name);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new InferenceRequest.Invalid("parameter '" + name + "' must be a number");
        }
        return v.asDouble();
    }

    /** {@code stop}: one string or a list of them (both are in use). */
    private static List<String> stops(JsonNode stop) {
        if (stop.isMissingNode() || stop.isNull()) {
            return null;
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (!stop.isArray()) {
            throw new InferenceRequest.Invalid("parameter 'stop' must be a string or a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : stop) {
            if (!s.isTextual()) {
                throw new InferenceRequest.Invalid("parameter 'stop' must be a string or a list of strings");
            }
            out.add(s.asText());
        }
        return out;
    }
}
