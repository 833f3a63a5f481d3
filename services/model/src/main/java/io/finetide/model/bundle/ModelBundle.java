package io.finetide.model.bundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.finetide.model.tokenizer.Truncation;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A self-describing model: everything needed to serve or continue training it, in one zip. Entries:
 * {@code config.json}, {@code labels.json}, {@code weights.bin}, {@code tokenizer.json}, {@code metadata.json}
 * (metrics, lineage, hyper-parameters: free-form).
 */
public record ModelBundle(TransformerConfig config, String tokenizerName, int maxSeqLength, Truncation truncation,
        List<String> labels, Weights weights, byte[] tokenizerJson, Map<String, Object> metadata) {

    public static final int FORMAT_VERSION = 1;
    /**
     * Metadata key of the temperature training fitted on the validation split; serving divides the logits by it. A
     * bundle without one is served as trained (1).
     */
    public static final String TEMPERATURE = "temperature";
    /** Metadata key: true for a sequence classifier trained on text pairs (it reads two texts). */
    public static final String TEXT_PAIRS = "textPairs";
    /** A model that writes text (completions, or a text-to-text classifier's label words): the token it ends with. */
    public static final String END_OF_TEXT = "endOfText";
    /** An encoder-decoder: the token its decoder reads first. */
    public static final String DECODER_START = "decoderStart";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ModelBundle {
        // A language model's outputs are its vocabulary, not labels, unless it writes its labels as words.
        if (config.languageModel()
                ? !labels.isEmpty() && !config.encoderDecoder()
                : labels.size() != config
                        .numLabels()) {
            throw new IllegalArgumentException(
                    labels.size() + " labels for a head of " + config.numLabels() + " outputs");
        }
        labels = List.copyOf(labels);
        metadata = Map.copyOf(metadata);
    }

    /** The calibration temperature (1: none). */
    public double temperature() {
        return metadata.get(TEMPERATURE) instanceof Number t ? t.doubleValue() : 1.0;
    }

    /** Whether the model classifies pairs of texts ({@link #TEXT_PAIRS}). */
    public boolean textPairs() {
        return Boolean.TRUE.equals(metadata.get(TEXT_PAIRS));
    }

    /**
     * Whether the model writes text: a decoder with its language-model head and an end-of-text token (a completion
     * of its prompt), or an encoder-decoder with them and its decoder's start that has no labels (a target for its
     * source; with labels it is a text-to-text classifier, {@link #writesLabels}).
     */
    public boolean generates() {
        boolean ends = config.languageModel() && metadata.get(END_OF_TEXT) instanceof Number;
        return ends && (config.decoder() || config.encoderDecoder() && labels.isEmpty() && metadata.get(
                DECODER_START) instanceof Number);
    }

    /**
     * Whether the model is a text-to-text classifier: an encoder-decoder that writes its labels' words, ending them
     * with {@link #END_OF_TEXT}, its decoder starting from {@link #DECODER_START}.
     */
    public boolean writesLabels() {
        return config.encoderDecoder() && !labels.isEmpty() && metadata.get(END_OF_TEXT) instanceof Number
                && metadata.get(DECODER_START) instanceof Number;
    }

    /** The token an encoder-decoder's decoder starts from ({@link #DECODER_START}). */
    public int decoderStart() {
        if (!(metadata.get(DECODER_START) instanceof Number n)) {
            throw new IllegalStateException("the bundle has no decoder start");
        }
        return n.intValue();
    }

    /** The end-of-text token of a model that writes completions ({@link #END_OF_TEXT}). */
    public int endOfText() {
        if (!(metadata.get(END_OF_TEXT) instanceof Number n)) {
            throw new IllegalStateException("the bundle does not write text");
        }
        return n.intValue();
    }

    /** The same bundle with {@code value} under {@code key} in its metadata. */
    public ModelBundle withMetadata(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(metadata);
        m.put(key, value);
        return new ModelBundle(config, tokenizerName, maxSeqLength, truncation, labels, weights, tokenizerJson, m);
    }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                Map<String, Object> header = new LinkedHashMap<>();
                header.put("formatVersion", FORMAT_VERSION);
                header.put("encoder", ConfigJson.write(config));
                header.put("tokenizer", tokenizerName);
                header.put("maxSeqLength", maxSeqLength);
                header.put("truncation", truncation.name());
                put(zip, "config.json", JSON.writeValueAsBytes(header));
                put(zip, "labels.json", JSON.writeValueAsBytes(labels));
                put(zip, "weights.bin", weights.toBytes());
                put(zip, "tokenizer.json", tokenizerJson);
                put(zip, "metadata.json", JSON.writeValueAsBytes(metadata));
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelBundle fromBytes(byte[] data) {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(data))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
            Map<String, Object> header = JSON.readValue(need(entries, "config.json"), new TypeReference<>() {
            });
            int version = ((Number) header.get("formatVersion")).intValue();
            if (version > FORMAT_VERSION) {
                throw new IllegalArgumentException("model bundle format " + version + " is newer than supported");
            }
            TransformerConfig config = ConfigJson.read((Map<?, ?>) header.get("encoder"));
            List<String> labels = JSON.readValue(need(entries, "labels.json"), new TypeReference<>() {
            });
            Weights weights = Weights.fromBytes(new ByteArrayInputStream(need(entries, "weights.bin")));
            weights.requireCompatible(config);
            Map<String, Object> metadata = JSON.readValue(need(entries, "metadata.json"), new TypeReference<>() {
            });
            return new ModelBundle(config, (String) header.get("tokenizer"),
                    ((Number) header.get("maxSeqLength")).intValue(), Truncation.parse((String) header.get(
                            "truncation")),
                    labels, weights, need(entries, "tokenizer.json"), metadata);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable model bundle: " + e.getMessage(), e);
        }
    }

    private static byte[] need(Map<String, byte[]> entries, String name) {
        byte[] b = entries.get(name);
        if (b == null) {
            throw new IllegalArgumentException("model bundle has no " + name);
        }
        return b;
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }
}
