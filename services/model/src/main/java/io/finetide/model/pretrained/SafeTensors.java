package io.finetide.model.pretrained;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finetide.model.transformer.Weights;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header of name to dtype, shape and byte
 * range, then the raw little-endian data.
 */
public final class SafeTensors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {
    }

    public static Map<String, Weights.Tensor> read(Path file) {
        try {
            return read(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no " + file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param file how messages name the file */
    static Map<String, Weights.Tensor> read(byte[] all, String file) {
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 8) {
            throw new IllegalArgumentException(file + " is not a safetensors file (too short)");
        }
        long headerLength = buf.getLong(0);
        if (headerLength < 2 || headerLength > all.length - 8) {
            throw new IllegalArgumentException(file + " is not a safetensors file (header length "
                    + headerLength + ")");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " has an unreadable header: " + e.getMessage());
        }
        int base = 8 + (int) headerLength;
        Map<String, Weights.Tensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            String dtype = e.getValue().path("dtype").asText();
            JsonNode shapeNode = e.getValue().path("shape");
            int[] shape = new int[shapeNode.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asInt();
                n *= shape[i];
            }
            long begin = e.getValue().path("data_offsets").path(0).asLong();
            long end = e.getValue().path("data_offsets").path(1).asLong();
            int width = switch (dtype) {
                case "F32", "I32" -> 4;
                case "F16", "BF16" -> 2;
                case "I64" -> 8;
                default -> throw new IllegalArgumentException("tensor '" + e.getKey() + "' has dtype " + dtype
                        + " (F32, F16 and BF16 are read)");
            };
            if (end - begin != n * width || base + end > all.length) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has a byte range that does not "
                        + "fit its shape or the file");
            }
            if (dtype.startsWith("I")) {
                // Integer buffers (position ids) are no weights; keep the name so that they can be reported.
                out.put(e.getKey(), new Weights.Tensor(shape, new float[0]));
                continue;
            }
            float[] v = new float[(int) n];
            int at = base + (int) begin;
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (dtype) {
                    case "F32" -> buf.getFloat(at + 4 * i);
                    case "BF16" -> Float.intBitsToFloat((buf.getShort(at + 2 * i) & 0xffff) << 16);
                    default -> halfToFloat(buf.getShort(at + 2 * i));
                };
            }
            out.put(e.getKey(), new Weights.Tensor(shape, v));
        }
        return out;
    }

    /** IEEE 754 half precision to single (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24.
            float v = mantissa * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    public static void write(Path file, Map<String, Weights.Tensor> tensors) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, Weights.Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long size = 4L * e.getValue().values().length;
            t.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // The data starts 8-byte aligned: pad the header with spaces, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (Weights.Tensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(t.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.values());
                out.write(b.array());
            }
        }
    }
}
