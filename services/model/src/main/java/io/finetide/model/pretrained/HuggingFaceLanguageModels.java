package io.finetide.model.pretrained;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * The generative models a user may keep as Hugging Face folders ({@code config.json}, {@code model.safetensors},
 * optionally {@code tokenizer.json}): T5 version 1.0 ({@code model_type} t5: ReLU feed-forward, tied embeddings) as
 * the encoder-decoder, and GPT-2 ({@code gpt2}) as the decoder, each with its language-model head. What the graph
 * does not implement (gated GELU, untied heads, other head sizes) fails naming the setting; a missing, unknown or
 * misshapen tensor fails naming the tensor.
 */
public final class HuggingFaceLanguageModels {

    /** T5 has no position limit; the graph accepts sources and targets up to this length. */
    public static final int T5_MAX_LENGTH = 512;

    /** @param tokenizerJson the folder's tokenizer.json, or null without one */
    public record Loaded(TransformerConfig config, Weights weights, byte[] tokenizerJson, List<String> ignored) {
    }

    private HuggingFaceLanguageModels() {
    }

    /** T5's end of sequence when a config does not name one ({@code </s>}). */
    public static final int T5_END_OF_SEQUENCE = 1;

    /** GPT-2's end-of-text token when a config does not name one ({@code <|endoftext|>}). */
    public static final int GPT2_END_OF_TEXT = 50256;

    /**
     * The end-of-text id of a GPT-2 {@code config.json} ({@code eos_token_id}), which generation stops at and
     * completions are trained to end with.
     */
    public static int endOfText(byte[] configJson, int vocabSize) {
        JsonNode c = HuggingFaceConfigs.readJson(configJson, "config.json");
        int eos = c.path("eos_token_id").asInt(c.path("model_type").asText("").equals("t5")
                ? T5_END_OF_SEQUENCE
                : GPT2_END_OF_TEXT);
        if (eos < 0 || eos >= vocabSize) {
            throw new IllegalArgumentException("config.json: eos_token_id " + eos + " is outside the vocabulary of "
                    + vocabSize);
        }
        return eos;
    }

    /**
     * The id an encoder-decoder's decoder reads first ({@code decoder_start_token_id}, T5's padding id 0 when the
     * config names none).
     */
    public static int decoderStart(byte[] configJson, int vocabSize) {
        int start = HuggingFaceConfigs.readJson(configJson, "config.json").path("decoder_start_token_id").asInt(0);
        if (start < 0 || start >= vocabSize) {
            throw new IllegalArgumentException("config.json: decoder_start_token_id " + start + " is outside the "
                    + "vocabulary of " + vocabSize);
        }
        return start;
    }

    public static Loaded read(Path dir, double dropout) {
        JsonNode c = HuggingFaceConfigs.readJson(dir.resolve("config.json"));
        String type = c.path("model_type").asText("");
        return switch (type) {
            case "t5" -> t5(dir, c, dropout);
            case "gpt2" -> gpt2(dir, c, dropout);
            default -> throw new IllegalArgumentException(dir.resolve("config.json") + ": model_type '" + type
                    + "' is not a supported language model (t5, gpt2)");
        };
    }

    private static Loaded t5(Path dir, JsonNode c, double dropout) {
        return t5(c, SafeTensors.read(dir.resolve("model.safetensors")), tokenizer(dir), dir.resolve("config.json")
                .toString(), dropout);
    }

    /**
     * A T5 1.0 encoder-decoder with its language-model head, from its config, its tensors and its tokenizer (null when
     * absent).
     *
     * @param configName how messages name the config
     */
    static Loaded t5(JsonNode c, Map<String, Weights.Tensor> tensors, byte[] tokenizerJson, String configName,
            double dropout) {
        String ff = c.path("feed_forward_proj").asText("relu");
        require(configName, ff.equals("relu"), "feed_forward_proj '" + ff + "' is not supported (T5 1.0's 'relu')");
        require(configName, c.path("tie_word_embeddings").asBoolean(true), "an untied language-model head is not "
                + "supported (tie_word_embeddings)");
        int d = HuggingFaceConfigs.required(c, "d_model");
        int heads = HuggingFaceConfigs.required(c, "num_heads");
        int layers = HuggingFaceConfigs.required(c, "num_layers");
        require(configName, HuggingFaceConfigs.required(c, "d_kv") * heads == d, "d_kv x num_heads must equal d_model");
        require(configName, c.path("num_decoder_layers").asInt(layers) == layers, "num_decoder_layers must equal "
                + "num_layers");
        TransformerConfig config = TransformerConfig.encoderDecoderBuilder()
                .vocabSize(HuggingFaceConfigs.required(c, "vocab_size")).maxPositions(T5_MAX_LENGTH).hiddenSize(d)
                .layers(layers).heads(heads).intermediateSize(HuggingFaceConfigs.required(c, "d_ff")).dropout(dropout)
                .relativeBuckets(c.path("relative_attention_num_buckets").asInt(32))
                .relativeMaxDistance(c.path("relative_attention_max_distance").asInt(128))
                .layerNormEps(c.path("layer_norm_epsilon").asDouble(1e-6)).build();
        Map<String, Weights.Tensor> raw = new LinkedHashMap<>(tensors);
        List<String> ignored = new ArrayList<>();
        Weights.Tensor shared = raw.get(ParamSpec.SHARED);
        for (String copy : List.of("encoder.embed_tokens.weight", "decoder.embed_tokens.weight", "lm_head.weight")) {
            Weights.Tensor t = raw.remove(copy);
            if (t != null) {
                // Tied copies of the shared embeddings, when a writer stored them anyway.
                require(configName, shared != null && Arrays.equals(t.values(), shared.values()), "'" + copy
                        + "' differs from 'shared.weight' (untied weights are not supported)");
                ignored.add(copy);
            }
        }
        Map<String, Weights.Tensor> weights = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            Weights.Tensor t = take(raw, p.name(), p.name());
            boolean linear = p.shape().length == 2 && !p.name().equals(ParamSpec.SHARED) && !p.name().endsWith(
                    "relative_attention_bias.weight");
            weights.put(p.name(), fit(linear ? HuggingFaceNames.transpose(t) : t, p, p.name()));
        }
        rejectRest(raw, "T5");
        return new Loaded(config, new Weights(weights), tokenizerJson, List.copyOf(ignored));
    }

    private static Loaded gpt2(Path dir, JsonNode c, double dropout) {
        return gpt2(c, SafeTensors.read(dir.resolve("model.safetensors")), tokenizer(dir), dir.resolve("config.json")
                .toString(), dropout);
    }

    /**
     * A GPT-2 language model from its config, its tensors and its tokenizer (null when absent).
     *
     * @param configName how messages name the config
     */
    static Loaded gpt2(JsonNode c, Map<String, Weights.Tensor> tensors, byte[] tokenizerJson, String configName,
            double dropout) {
        String act = c.path("activation_function").asText("gelu_new");
        require(configName, act.equals("gelu_new") || act.equals("gelu_pytorch_tanh"), "activation_function '" + act
                + "' is not supported (GPT-2's tanh GELU, 'gelu_new')");
        require(configName, c.path("tie_word_embeddings").asBoolean(true), "an untied language-model head is not "
                + "supported (tie_word_embeddings)");
        int h = HuggingFaceConfigs.required(c, "n_embd");
        int vocab = HuggingFaceConfigs.required(c, "vocab_size");
        int inner = c.hasNonNull("n_inner") ? c.get("n_inner").asInt() : 4 * h;
        int layers = HuggingFaceConfigs.required(c, "n_layer");
        TransformerConfig config = TransformerConfig.decoderBuilder().vocabSize(vocab)
                .maxPositions(HuggingFaceConfigs.required(c,
                        "n_positions"))
                .hiddenSize(h).layers(layers).heads(HuggingFaceConfigs.required(c, "n_head"))
                .intermediateSize(inner).head(Head.LANGUAGE_MODEL).dropout(dropout).layerNormEps(c.path(
                        "layer_norm_epsilon").asDouble(1e-5))
                .build();
        Map<String, Weights.Tensor> raw = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        tensors.forEach((name, t) -> {
            String n = name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
            if (n.endsWith(".attn.bias") || n.endsWith(".attn.masked_bias") || n.equals("lm_head.weight")) {
                // The causal-mask buffers of older writers, and the head tied to wte.
                ignored.add(name);
            } else {
                raw.put(n, t);
            }
        });
        Map<String, Weights.Tensor> w = new LinkedHashMap<>();
        w.put(ParamSpec.WORD_EMBEDDINGS, take(raw, "wte.weight", ParamSpec.WORD_EMBEDDINGS));
        w.put(ParamSpec.POSITION_EMBEDDINGS, take(raw, "wpe.weight", ParamSpec.POSITION_EMBEDDINGS));
        for (int i = 0; i < layers; i++) {
            String from = "h." + i + ".";
            String to = ParamSpec.layer(i);
            // GPT-2's Conv1D stores [in, out], the graph's order: no transpose. Q, K and V are one [h, 3h] product.
            Weights.Tensor qkvW = take(raw, from + "attn.c_attn.weight", to + "attention.self.*.weight");
            Weights.Tensor qkvB = take(raw, from + "attn.c_attn.bias", to + "attention.self.*.bias");
            String[] parts = {"query", "key", "value"};
            for (int k = 0; k < 3; k++) {
                w.put(to + "attention.self." + parts[k] + ".weight", columns(qkvW, h, k));
                w.put(to + "attention.self." + parts[k] + ".bias", new Weights.Tensor(new int[]{h}, Arrays
                        .copyOfRange(qkvB.values(), k * h, (k + 1) * h)));
            }
            move(raw, w, from + "attn.c_proj", to + "attention.output.dense");
            move(raw, w, from + "ln_1", to + "attention.output.LayerNorm");
            move(raw, w, from + "mlp.c_fc", to + "intermediate.dense");
            move(raw, w, from + "mlp.c_proj", to + "output.dense");
            move(raw, w, from + "ln_2", to + "output.LayerNorm");
        }
        move(raw, w, "ln_f", ParamSpec.FINAL_LN);
        rejectRest(raw, "GPT-2");
        Map<String, Weights.Tensor> weights = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            weights.put(p.name(), fit(w.get(p.name()), p, p.name()));
        }
        return new Loaded(config, new Weights(weights), tokenizerJson, List.copyOf(ignored));
    }

    /** Columns {@code [part * h, (part + 1) * h)} of an [h, 3h] matrix. */
    private static Weights.Tensor columns(Weights.Tensor t, int h, int part) {
        if (t.shape().length != 2 || t.shape()[0] != h || t.shape()[1] != 3 * h) {
            throw new IllegalArgumentException("tensor 'attn.c_attn.weight' has shape " + Arrays.toString(t.shape())
                    + "; config.json needs [" + h + ", " + 3 * h + "]");
        }
        float[] out = new float[h * h];
        for (int r = 0; r < h; r++) {
            System.arraycopy(t.values(), r * 3 * h + part * h, out, r * h, h);
        }
        return new Weights.Tensor(new int[]{h, h}, out);
    }

    private static void move(Map<String, Weights.Tensor> raw, Map<String, Weights.Tensor> w, String from,
            String to) {
        w.put(to + ".weight", take(raw, from + ".weight", to + ".weight"));
        w.put(to + ".bias", take(raw, from + ".bias", to + ".bias"));
    }

    private static Weights.Tensor take(Map<String, Weights.Tensor> raw, String name, String graphName) {
        Weights.Tensor t = raw.remove(name);
        if (t == null) {
            throw new IllegalArgumentException("model.safetensors has no tensor '" + name + "' (for " + graphName
                    + ")");
        }
        return t;
    }

    private static Weights.Tensor fit(Weights.Tensor t, ParamSpec p, String fileName) {
        if (!Arrays.equals(t.shape(), p.shape())) {
            throw new IllegalArgumentException("tensor '" + fileName + "' has shape " + Arrays.toString(t.shape())
                    + " in the graph's order; config.json needs " + Arrays.toString(p.shape()));
        }
        return t;
    }

    private static void rejectRest(Map<String, Weights.Tensor> raw, String architecture) {
        if (!raw.isEmpty()) {
            throw new IllegalArgumentException("model.safetensors has tensors a " + architecture
                    + " model does not have: " + new TreeSet<>(raw.keySet()));
        }
    }

    private static void require(String configName, boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(configName + ": " + message);
        }
    }

    private static byte[] tokenizer(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        try {
            return Files.exists(file) ? Files.readAllBytes(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
