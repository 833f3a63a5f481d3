package io.finetide.ingestion.intake;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.events.MetadataKeys;
import io.finetide.proto.v1.RawExampleEvent;
import io.finetide.proto.v1.RawLabelEvent;

/**
 * Decodes what producers write to {@code finetide.examples.raw}. JSON is the default:
 *
 * <pre>
 * {"id": "ex-1", "task": "sentiment", "text": "great film", "label": "positive", "metadata": {"source": "web"}}
 * </pre>
 *
 * {@code id}, {@code task} and {@code text} are required; {@code label} and {@code metadata} (string values) are
 * optional. A token-classification example gives {@code "tokens": [...]} (then {@code text} may be left out) and,
 * when labelled, {@code "tags": [...]}, one BIO tag per token; {@code schemaVersion} defaults to 1. With header {@code content-type: application/x-protobuf} the value is a
 * {@code RawExampleEvent}. Only the shape is checked here; task-specific rules belong to the ingestion service.
 */
public final class RawExamples {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RawExamples() {
    }

    public static RawExampleEvent decode(byte[] value, String contentType) {
        RawExampleEvent event = decode(value, contentType, RawExamples::fromJson, RawExampleEvent::parseFrom,
                "RawExampleEvent", e -> e.getSchemaVersion() == 0 ? e.toBuilder().setSchemaVersion(1).build() : e);
        return checkShape(event);
    }

    /**
     * Decodes a label for an example already ingested, from {@code finetide.labels} or {@code POST /api/v1/labels}:
     * JSON {@code {"task","id","label"[,"annotator"]}} or protobuf {@code RawLabelEvent}.
     */
    public static RawLabelEvent decodeLabel(byte[] value, String contentType) {
        RawLabelEvent event = decode(value, contentType, RawExamples::labelFromJson, RawLabelEvent::parseFrom,
                "RawLabelEvent", e -> e.getSchemaVersion() == 0 ? e.toBuilder().setSchemaVersion(1).build() : e);
        requireSchemaVersion(event.getSchemaVersion());
        for (String[] f : new String[][]{{"task", event.getTask()}, {"id", event.getId()}, {"label", event
                .getTagsCount() > 0 ? "tags" : event.getLabel()}}) {
            if (f[1].isBlank()) {
                throw new RejectedException(ReasonCode.MISSING_FIELD, "field '" + f[0] + "' is required");
            }
        }
        return event;
    }

    /**
     * JSON (the default) or protobuf by content type; a protobuf value without a schema version gets version 1
     * ({@code versioned}).
     */
    private static <T> T decode(byte[] value, String contentType, java.util.function.Function<byte[], T> json,
            Events.ProtoParser<T> proto, String what, java.util.function.UnaryOperator<T> versioned) {
        if (value == null || value.length == 0) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "empty record value");
        }
        if (contentType == null || contentType.isBlank() || contentType.startsWith(Events.CONTENT_TYPE_JSON)) {
            return json.apply(value);
        }
        if (contentType.startsWith(Events.CONTENT_TYPE_PROTOBUF)) {
            try {
                return versioned.apply(proto.parse(value));
            } catch (InvalidProtocolBufferException e) {
                throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "not a " + what + ": " + e.getMessage());
            }
        }
        throw new RejectedException(ReasonCode.UNSUPPORTED_CONTENT_TYPE, "unsupported content-type " + contentType);
    }

    private static RawLabelEvent labelFromJson(byte[] value) {
        JsonNode root = jsonObject(value, "a label");
        RawLabelEvent.Builder b = RawLabelEvent.newBuilder().setSchemaVersion(root.has("schemaVersion")
                ? intField(root, "schemaVersion")
                : 1).setTask(stringField(root, "task", true)).setId(stringField(root, "id", true));
        List<String> tags = stringArray(root, "tags");
        b.addAllTags(tags);
        String label = stringField(root, "label", tags.isEmpty());
        if (label != null) {
            b.setLabel(label);
        }
        String annotator = stringField(root, "annotator", false);
        return annotator == null ? b.build() : b.setAnnotator(annotator).build();
    }

    private static void requireSchemaVersion(int version) {
        if (version > Events.SCHEMA_VERSION || version < 1) {
            throw new RejectedException(ReasonCode.UNSUPPORTED_SCHEMA_VERSION,
                    "schemaVersion " + version + " is not supported (1.." + Events.SCHEMA_VERSION + ")");
        }
    }

    private static JsonNode jsonObject(byte[] value, String what) {
        requireUtf8(value);
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        } catch (JsonProcessingException e) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "unreadable JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, what + " must be a JSON object");
        }
        return root;
    }

    private static RawExampleEvent fromJson(byte[] value) {
        JsonNode root = jsonObject(value, "a raw example");
        RawExampleEvent.Builder b = RawExampleEvent.newBuilder();
        b.setSchemaVersion(root.has("schemaVersion") ? intField(root, "schemaVersion") : 1);
        b.setId(stringField(root, "id", true));
        b.setTask(stringField(root, "task", true));
        List<String> tokens = stringArray(root, "tokens");
        String prompt = stringField(root, "prompt", false);
        String input = stringField(root, "input", false);
        // Token-classification examples may give tokens alone: the text is then their join. Generation examples
        // give a prompt instead, sequence-to-sequence ones an input.
        String text = stringField(root, "text", tokens.isEmpty() && prompt == null && input == null);
        b.setText(text != null ? text : String.join(" ", tokens));
        if (prompt != null) {
            b.setPrompt(prompt);
        }
        String completion = stringField(root, "completion", false);
        if (completion != null) {
            b.setCompletion(completion);
        }
        if (input != null) {
            b.setInput(input);
        }
        String target = stringField(root, "target", false);
        if (target != null) {
            b.setTarget(target);
        }
        String textPair = stringField(root, "textPair", false);
        if (textPair != null) {
            b.setTextPair(textPair);
        }
        b.addAllTokens(tokens);
        b.addAllTags(stringArray(root, "tags"));
        String label = stringField(root, "label", false);
        if (label != null) {
            b.setLabel(label);
        }
        JsonNode metadata = root.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "metadata must be an object of strings");
            }
            Iterator<Map.Entry<String, JsonNode>> it = metadata.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode()) {
                    throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD,
                            "metadata." + e.getKey() + " must be a string");
                }
                b.putMetadata(e.getKey(), e.getValue().asText());
            }
        }
        return b.build();
    }

    private static RawExampleEvent checkShape(RawExampleEvent event) {
        requireSchemaVersion(event.getSchemaVersion());
        if (event.getId().isBlank()) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, "field 'id' is required");
        }
        if (event.getTask().isBlank()) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, "field 'task' is required");
        }
        event.getMetadataMap().keySet().forEach(MetadataKeys::require);
        return event;
    }

    /** An optional array of strings; absent or null is empty. */
    private static List<String> stringArray(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "field '" + name + "' must be an array of "
                    + "strings");
        }
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "field '" + name + "' must be an array of "
                        + "strings");
            }
            out.add(item.textValue());
        }
        return out;
    }

    private static String stringField(JsonNode root, String name, boolean required) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                throw new RejectedException(ReasonCode.MISSING_FIELD, "field '" + name + "' is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "field '" + name + "' must be a string");
        }
        return node.textValue();
    }

    private static int intField(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "field '" + name + "' must be an integer");
        }
        return node.intValue();
    }

    private static void requireUtf8(byte[] value) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            throw new RejectedException(ReasonCode.INVALID_UTF8, "payload is not valid UTF-8 (byte " + e.getMessage()
                    + ")");
        }
    }
}
