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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finetide.model.encoder.EncoderConfig;
import io.finetide.model.encoder.ParamSpec;
import io.finetide.model.encoder.Weights;

/**
 * A BERT-family encoder in the folder layout users keep on disk and {@code transformers} writes with
 * {@code save_pretrained}: {@code config.json}, {@code model.safetensors}, {@code tokenizer.json}. Reading accepts
 * names with or without the {@code bert.} prefix and the old {@code gamma}/{@code beta} LayerNorm names, transposes
 * PyTorch's [out, in] linear weights to the graph's [in, out], converts F16 and BF16 to F32, and leaves out what an
 * encoder does not use (the pooler, masked-language-model heads, position-id buffers), reporting it. A missing or
 * unknown tensor, a shape that does not fit and a wrong architecture fail with a message naming it.
 */
public final class HuggingFaceFolder {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param ignored tensors of the file that an encoder does not use
     * @param headFromFile whether the classification head came from the file (a fine-tuned model with the same
     *            number of labels) rather than being freshly initialised
     */
    public record Loaded(EncoderConfig config, Weights weights, byte[] tokenizerJson, List<String> ignored,
            boolean headFromFile) {
    }

    private HuggingFaceFolder() {
    }

    public static Loaded read(Path dir, int numLabels, String pooling, double dropout, long seed) {
        return read(file -> {
            try {
                return Files.readAllBytes(dir.resolve(file));
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(file.equals("tokenizer.json")
                        ? dir + " has no tokenizer.json"
                        : "no " + dir.resolve(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, file -> dir.resolve(file).toString(), numLabels, pooling, dropout, seed);
    }

    /** The folder's files by name, and how a message names each. */
    private static Loaded read(java.util.function.Function<String, byte[]> files,
            java.util.function.UnaryOperator<String> names, int numLabels, String pooling, double dropout,
            long seed) {
        String configName = names.apply("config.json");
        JsonNode c = readJson(files.apply("config.json"), configName);
        String type = c.path("model_type").asText("");
        boolean albert = type.equals("albert");
        if (!type.equals("bert") && !albert) {
            throw new IllegalArgumentException(configName + ": model_type '" + type
                    + "' is not a BERT-family encoder (bert, albert)");
        }
        String act = c.path("hidden_act").asText(albert ? "gelu_new" : "gelu");
        String activation = switch (act) {
            case "gelu" -> EncoderConfig.GELU;
            case "gelu_new", "gelu_pytorch_tanh" -> EncoderConfig.GELU_TANH;
            case "relu" -> EncoderConfig.RELU;
            default -> throw new IllegalArgumentException(configName + ": hidden_act '" + act
                    + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)");
        };
        if (albert && (c.path("num_hidden_groups").asInt(1) != 1 || c.path("inner_group_num").asInt(1) != 1)) {
            throw new IllegalArgumentException(configName + ": ALBERT with num_hidden_groups or "
                    + "inner_group_num other than 1 is not supported (one set of layer parameters shared by all)");
        }
        int hidden = required(c, "hidden_size");
        EncoderConfig config = new EncoderConfig(required(c, "vocab_size"), required(c, "max_position_embeddings"),
                c.path("type_vocab_size").asInt(2), hidden, required(c, "num_hidden_layers"), required(c,
                        "num_attention_heads"),
                required(c, "intermediate_size"), numLabels, pooling, dropout, c
                        .path("layer_norm_eps").asDouble(1e-12),
                albert
                        ? required(c, "embedding_size")
                        : hidden,
                albert).withActivation(activation);
        Map<String, Weights.Tensor> raw = SafeTensors.read(files.apply("model.safetensors"), names.apply(
                "model.safetensors"));
        Map<String, Weights.Tensor> byName = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, Weights.Tensor> e : raw.entrySet()) {
            String name = canonical(e.getKey());
            if (name.startsWith("pooler.") || name.startsWith("cls.") || name.startsWith("predictions.") || name
                    .startsWith("sop_classifier.") || name.endsWith("position_ids")) {
                ignored.add(e.getKey());
                continue;
            }
            if (byName.put(name, e.getValue()) != null) {
                throw new IllegalArgumentException("model.safetensors holds '" + name + "' twice (with and without "
                        + "the 'bert.' prefix)");
            }
        }
        Map<String, Weights.Tensor> weights = new LinkedHashMap<>();
        boolean headFromFile = false;
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            Weights.Tensor t = byName.remove(p.name());
            boolean head = p.name().startsWith(ParamSpec.CLASSIFIER);
            if (head) {
                if (t != null && t.shape()[0] == (p.shape().length == 2 ? p.shape()[1] : p.shape()[0])) {
                    headFromFile = true;
                } else {
                    // No head, or one for another label set: a fresh one, as from a base model.
                    t = null;
                }
            }
            if (t == null && head) {
                t = PretrainedEncoders.head(p, seed);
                weights.put(p.name(), t);
                continue;
            }
            if (t == null) {
                throw new IllegalArgumentException("model.safetensors has no tensor '" + p.name() + "' (nor 'bert."
                        + p.name() + "')");
            }
            Weights.Tensor fitted = p.shape().length == 2 && isLinear(p.name()) ? transpose(t) : t;
            if (!java.util.Arrays.equals(fitted.shape(), p.shape())) {
                throw new IllegalArgumentException("tensor '" + p.name() + "' has shape " + java.util.Arrays.toString(t
                        .shape()) + " in model.safetensors; config.json needs " + java.util.Arrays.toString(
                                isLinear(p.name()) ? new int[]{p.shape()[1], p.shape()[0]} : p.shape()));
            }
            weights.put(p.name(), fitted);
        }
        if (!byName.isEmpty()) {
            throw new IllegalArgumentException("model.safetensors has tensors a BERT encoder does not have: "
                    + new TreeSet<>(byName.keySet()));
        }
        return new Loaded(config, new Weights(weights), files.apply("tokenizer.json"), List.copyOf(ignored),
                headFromFile);
    }

    /** The files of a folder that reading needs; the other files of a Hugging Face folder are left out. */
    public static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");
    /** Beyond this a zipped folder is refused: the largest base a CPU fine-tunes is far smaller. */
    public static final long MAX_UNZIPPED_BYTES = 2L << 30;

    /**
     * Reads a folder sent as a zip archive (the folder itself or its files at the top): only {@link #FILES} are taken,
     * by their file names, unpacked in memory (nothing is written to disk).
     */
    public static Loaded readZip(byte[] zip, int numLabels, String pooling, double dropout, long seed) {
        Map<String, byte[]> files;
        try {
            files = unzip(zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return read(files::get, file -> file + " (in the archive)", numLabels, pooling, dropout, seed);
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        long total = 0;
        Map<String, byte[]> seen = new java.util.HashMap<>();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(
                zip))) {
            java.util.zip.ZipEntry e;
            boolean any = false;
            while ((e = in.getNextEntry()) != null) {
                any = true;
                String file = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                if (e.isDirectory() || !FILES.contains(file) || e.getName().chars().filter(c -> c == '/').count() > 1) {
                    continue;
                }
                if (seen.containsKey(file)) {
                    throw new IllegalArgumentException("the archive holds " + file + " twice");
                }
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > MAX_UNZIPPED_BYTES) {
                        throw new IllegalArgumentException("the archive unpacks to more than "
                                + (MAX_UNZIPPED_BYTES >> 20) + " MB");
                    }
                    out.write(buf, 0, n);
                }
                seen.put(file, out.toByteArray());
            }
            if (!any) {
                throw new IllegalArgumentException("not a zip archive (or an empty one)");
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException("not a readable zip archive: " + e.getMessage());
        }
        for (String f : FILES) {
            if (!seen.containsKey(f)) {
                throw new IllegalArgumentException("the archive has no " + f + " (at its top or in one folder)");
            }
        }
        return seen;
    }

    /** A zip of {@link #FILES} of {@code dir}, at the archive's top. */
    public static byte[] zip(Path dir) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
            for (String f : FILES) {
                out.putNextEntry(new java.util.zip.ZipEntry(f));
                Files.copy(dir.resolve(f), out);
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot zip " + dir, e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes a folder that {@code transformers}' {@code BertModel.from_pretrained} reads (the head is kept under
     * {@code classifier.*}, and the pooling in {@code finetide_pooling}).
     */
    public static void write(Path dir, EncoderConfig config, Weights weights, byte[] tokenizerJson) {
        if (config.decoder() || config.shareLayers() || config.factorisedEmbeddings()) {
            throw new IllegalArgumentException("only BERT configurations are written as Hugging Face folders");
        }
        ObjectNode c = JSON.createObjectNode();
        c.put("model_type", "bert");
        ArrayNode arch = c.putArray("architectures");
        arch.add("BertModel");
        c.put("vocab_size", config.vocabSize());
        c.put("hidden_size", config.hiddenSize());
        c.put("num_hidden_layers", config.layers());
        c.put("num_attention_heads", config.heads());
        c.put("intermediate_size", config.intermediateSize());
        c.put("max_position_embeddings", config.maxPositions());
        c.put("type_vocab_size", config.typeVocabSize());
        c.put("layer_norm_eps", config.layerNormEps());
        c.put("hidden_act", config.activation());
        c.put("hidden_dropout_prob", config.dropout());
        c.put("attention_probs_dropout_prob", config.dropout());
        c.put("pad_token_id", 0);
        c.put("num_labels", config.numLabels());
        c.put("finetide_pooling", config.pooling());
        Map<String, Weights.Tensor> out = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            Weights.Tensor t = weights.get(p.name());
            out.put(p.name(), p.shape().length == 2 && isLinear(p.name()) ? transpose(t) : t);
        }
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c));
            SafeTensors.write(dir.resolve("model.safetensors"), out);
            Files.write(dir.resolve("tokenizer.json"), tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir, e);
        }
    }

    /** Hugging Face's many spellings of one parameter, in the graph's naming. */
    static String canonical(String name) {
        String n = name.startsWith("bert.")
                ? name.substring(5)
                : name.startsWith("albert.")
                        ? name.substring(7)
                        : name;
        String albertLayer = "encoder.albert_layer_groups.0.albert_layers.0.";
        if (n.startsWith(albertLayer)) {
            // ALBERT's one shared layer, in BERT's sub-names.
            String rest = n.substring(albertLayer.length());
            for (String[] m : ALBERT_NAMES) {
                if (rest.startsWith(m[0])) {
                    return ParamSpec.SHARED_LAYER + m[1] + rest.substring(m[0].length());
                }
            }
        }
        if (n.contains("LayerNorm.gamma")) {
            n = n.replace("LayerNorm.gamma", "LayerNorm.weight");
        } else if (n.contains("LayerNorm.beta")) {
            n = n.replace("LayerNorm.beta", "LayerNorm.bias");
        }
        return n;
    }

    /** ALBERT's layer sub-names and BERT's (longest first where one is the start of another). */
    private static final String[][] ALBERT_NAMES = {{"attention.query.", "attention.self.query."}, {"attention.key.",
            "attention.self.key."}, {"attention.value.", "attention.self.value."},
            {"attention.dense.",
                    "attention.output.dense."},
            {"attention.LayerNorm.", "attention.output.LayerNorm."}, {
                    "ffn_output.", "output.dense."},
            {"ffn.", "intermediate.dense."}, {
                    "full_layer_layer_norm.", "output.LayerNorm."}};

    /** Linear layers' weights (not embeddings or LayerNorms): PyTorch stores them [out, in]. */
    private static boolean isLinear(String name) {
        return name.endsWith(".weight") && !name.startsWith("embeddings.") && !name.contains("LayerNorm");
    }

    static Weights.Tensor transpose(Weights.Tensor t) {
        int rows = t.shape()[0];
        int cols = t.shape()[1];
        float[] v = t.values();
        float[] out = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = v[r * cols + c];
            }
        }
        return new Weights.Tensor(new int[]{cols, rows}, out);
    }

    static int required(JsonNode c, String field) {
        JsonNode v = c.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException("config.json has no integer '" + field + "'");
        }
        return v.asInt();
    }

    static JsonNode readJson(Path file) {
        try {
            return readJson(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static JsonNode readJson(byte[] json, String name) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + name + ": " + e.getMessage());
        }
    }

    /**
     * The safetensors format: an 8-byte little-endian header length, a JSON header of name to dtype, shape and byte
     * range, then the raw little-endian data.
     */
    public static final class SafeTensors {

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
}
