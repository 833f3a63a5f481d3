package io.finetide.platform.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * Protobuf messages as the JSON-first API answers them: the canonical proto3 mapping (lowerCamelCase names, enums by
 * name), except that 64-bit integers (counts, times in milliseconds, seeds) are JSON numbers, not the strings the
 * canonical mapping makes of them. Every such value here stays far below 2^53, where JSON numbers are exact. Reading
 * ({@link JsonFormat#parser()}) accepts both.
 */
public final class ProtoJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProtoJson() {
    }

    public static String print(MessageOrBuilder message) {
        return print(message, JsonFormat.printer());
    }

    /**
     * As {@link #print}, with every field written, zeros and {@code false} too: for records a reader audits, where a
     * missing {@code "blessed"} must not have to be read as false.
     */
    public static String printAll(MessageOrBuilder message) {
        return print(message, JsonFormat.printer().alwaysPrintFieldsWithNoPresence());
    }

    private static String print(MessageOrBuilder message, JsonFormat.Printer printer) {
        try {
            JsonNode tree = JSON.readTree(printer.omittingInsignificantWhitespace().print(message));
            numbers(tree, message.getDescriptorForType());
            return JSON.writeValueAsString(tree);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void numbers(JsonNode node, Descriptor type) {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        for (FieldDescriptor f : type.getFields()) {
            JsonNode value = object.get(f.getJsonName());
            if (value == null) {
                continue;
            }
            if (f.isMapField()) {
                FieldDescriptor valueField = f.getMessageType().findFieldByName("value");
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (isLong(valueField)) {
                        ((ObjectNode) value).put(e.getKey(), e.getValue().asLong());
                    } else if (valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                        numbers(e.getValue(), valueField.getMessageType());
                    }
                }
            } else if (f.isRepeated() && value instanceof ArrayNode array) {
                for (int i = 0; i < array.size(); i++) {
                    if (isLong(f)) {
                        array.set(i, array.numberNode(array.get(i).asLong()));
                    } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                        numbers(array.get(i), f.getMessageType());
                    }
                }
            } else if (isLong(f)) {
                object.put(f.getJsonName(), value.asLong());
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                numbers(value, f.getMessageType());
            }
        }
    }

    private static boolean isLong(FieldDescriptor f) {
        return f.getJavaType() == FieldDescriptor.JavaType.LONG;
    }
}
