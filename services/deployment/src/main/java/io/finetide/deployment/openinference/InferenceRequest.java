package io.finetide.deployment.openinference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An Open Inference Protocol (KServe V2) inference request for a text classifier: one {@code BYTES} input of shape
 * {@code [n]} or {@code [n, 1]}, or for a model of pairs of texts two of one shape, {@value #TEXT} and
 * {@value #TEXT_PAIR}; their elements in JSON {@code data} or in the binary tensor extension Triton's clients use by
 * default (after a JSON header of {@code Inference-Header-Content-Length} bytes, each input's elements in the order of
 * the inputs, each a 4-byte little-endian length and its UTF-8 bytes).
 *
 * @param textPairs each text's second text, for a pair model; empty for single texts
 * @param outputs the outputs asked for, each with whether it should come back as binary; all of them when the
 *        request names none
 */
public record InferenceRequest(String id, List<String> texts, List<String> textPairs,
        Map<InferenceOutput, Boolean> outputs) {

    /** The names of a pair model's two inputs (a single-text model's one input may have any name). */
    public static final String TEXT = "text";
    public static final String TEXT_PAIR = "text_pair";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request the protocol or this model cannot take; the message says why. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * @param body the request's bytes
     * @param headerLength the {@code Inference-Header-Content-Length} header, or null when the body is all JSON
     */
    public static InferenceRequest parse(byte[] body, Integer headerLength) {
        int jsonLength = headerLength == null ? body.length : headerLength;
        if (jsonLength < 0 || jsonLength > body.length) {
            throw new Invalid("Inference-Header-Content-Length " + jsonLength + " does not fit a body of "
                    + body.length + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body, 0, jsonLength);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Invalid("the request is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new Invalid("the request is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("the request must be a JSON object with 'inputs'");
        }
        JsonNode inputs = root.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty() || inputs.size() > 2) {
            throw new Invalid("'inputs' must hold one tensor, the texts, or two for pairs of texts, '" + TEXT
                    + "' and '" + TEXT_PAIR + "'; datatype BYTES");
        }
        ByteBuffer binary = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength);
        List<String> texts;
        List<String> textPairs = List.of();
        if (inputs.size() == 1) {
            texts = texts(inputs.get(0), binary);
        } else {
            pairNames(inputs.get(0).path("name").asText(), inputs.get(1).path("name").asText());
            List<String> first = texts(inputs.get(0), binary);
            List<String> second = texts(inputs.get(1), binary);
            if (first.size() != second.size()) {
                throw new Invalid("'" + TEXT + "' and '" + TEXT_PAIR + "' must hold as many texts: " + first.size()
                        + " and " + second.size());
            }
            boolean textFirst = TEXT.equals(inputs.get(0).path("name").asText());
            texts = textFirst ? first : second;
            textPairs = textFirst ? second : first;
        }
        boolean binaryByDefault = root.path("parameters").path("binary_data_output").asBoolean(false);
        Map<InferenceOutput, Boolean> outputs = new LinkedHashMap<>();
        JsonNode asked = root.get("outputs");
        if (asked == null || asked.isEmpty()) {
            for (InferenceOutput o : InferenceOutput.values()) {
                outputs.put(o, binaryByDefault);
            }
        } else {
            for (JsonNode o : asked) {
                InferenceOutput output = InferenceOutput.named(o.path("name").asText()).orElseThrow(
                        () -> new Invalid("unknown output '" + o.path("name").asText() + "'; this model has "
                                + InferenceOutput.names()));
                outputs.put(output, o.path("parameters").path("binary_data").asBoolean(binaryByDefault));
            }
        }
        JsonNode id = root.get("id");
        return new InferenceRequest(id == null || id.isNull() ? null : id.asText(), texts, textPairs, outputs);
    }

    /** What the model is asked about: single texts, or pairs. */
    public List<io.finetide.deployment.serving.ServedText> served() {
        return served(texts, textPairs);
    }

    static List<io.finetide.deployment.serving.ServedText> served(List<String> texts, List<String> textPairs) {
        return textPairs.isEmpty()
                ? io.finetide.deployment.serving.ServedText.singles(texts)
                : io.finetide.deployment.serving.ServedText.pairs(texts, textPairs);
    }

    /** Two inputs are a pair's, named {@value #TEXT} and {@value #TEXT_PAIR}. */
    static void pairNames(String first, String second) {
        if (!(TEXT.equals(first) && TEXT_PAIR.equals(second) || TEXT_PAIR.equals(first) && TEXT.equals(second))) {
            throw new Invalid("two inputs are a pair of texts, named '" + TEXT + "' and '" + TEXT_PAIR + "', not '"
                    + first + "' and '" + second + "'");
        }
    }

    private static List<String> texts(JsonNode input, ByteBuffer binary) {
        String name = input.path("name").asText();
        if (!"BYTES".equals(input.path("datatype").asText())) {
            throw new Invalid("input '" + name + "' must be BYTES (texts), not '" + input.path("datatype").asText()
                    + "'");
        }
        int count = count(input.path("shape"), name);
        JsonNode binarySize = input.path("parameters").path("binary_data_size");
        List<String> texts;
        if (binarySize.isMissingNode()) {
            texts = fromJson(input.get("data"), name);
        } else {
            texts = fromBinary(binary, binarySize.asLong(), name);
            // The next input's elements follow this one's.
            binary.position(binary.position() + (int) binarySize.asLong());
        }
        if (texts.size() != count) {
            throw new Invalid("input '" + name + "' has shape [" + count + "] but " + texts.size() + " elements");
        }
        if (count == 0) {
            throw new Invalid("input '" + name + "' holds no texts");
        }
        return texts;
    }

    /** Elements in a shape of {@code [n]} or {@code [n, 1]}. */
    private static int count(JsonNode shape, String name) {
        if (!shape.isArray() || shape.isEmpty() || shape.size() > 2 || (shape.size() == 2 && shape.get(1)
                .asLong() != 1) || !shape.get(0).canConvertToInt() || shape.get(0).asInt() < 0) {
            throw new Invalid("input '" + name + "' must have shape [n] or [n, 1], not " + shape);
        }
        return shape.get(0).asInt();
    }

    private static List<String> fromJson(JsonNode data, String name) {
        if (data == null || !data.isArray()) {
            throw new Invalid("input '" + name + "' has no 'data' array (nor binary_data_size)");
        }
        List<String> out = new ArrayList<>();
        flatten(data, out, name);
        return out;
    }

    private static void flatten(JsonNode node, List<String> out, String name) {
        for (JsonNode e : node) {
            if (e.isArray()) {
                flatten(e, out, name);
            } else if (e.isTextual()) {
                out.add(e.asText());
            } else {
                throw new Invalid("input '" + name + "' must hold strings, found " + e.getNodeType());
            }
        }
    }

    static List<String> fromBinary(ByteBuffer binary, long size, String name) {
        if (size < 0 || size > binary.remaining()) {
            throw new Invalid("input '" + name + "' declares " + size + " binary bytes but the body has "
                    + binary.remaining() + " after the JSON header");
        }
        ByteBuffer b = binary.slice().limit((int) size).order(ByteOrder.LITTLE_ENDIAN);
        List<String> out = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw new Invalid("input '" + name + "': a binary element's length is cut off");
            }
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) {
                throw new Invalid("input '" + name + "': a binary element of " + length + " bytes overruns the "
                        + "tensor");
            }
            byte[] text = new byte[length];
            b.get(text);
            out.add(new String(text, StandardCharsets.UTF_8));
        }
        return out;
    }
}
