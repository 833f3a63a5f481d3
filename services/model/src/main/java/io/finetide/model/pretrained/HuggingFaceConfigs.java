package io.finetide.model.pretrained;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finetide.model.transformer.Activation;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.TransformerConfig;

/** Hugging Face's {@code config.json} fields and the {@link TransformerConfig} they mean, both ways. */
final class HuggingFaceConfigs {

    static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceConfigs() {
    }

    /** A BERT or ALBERT {@code config.json} (named {@code configName} in messages) with the task's head. */
    static TransformerConfig bert(byte[] json, String configName, HeadSpec head, double dropout) {
        JsonNode c = readJson(json, configName);
        String type = c.path("model_type").asText("");
        boolean albert = type.equals("albert");
        if (!type.equals("bert") && !albert) {
            throw new IllegalArgumentException(configName + ": model_type '" + type
                    + "' is not a BERT-family encoder (bert, albert)");
        }
        String act = c.path("hidden_act").asText(albert ? "gelu_new" : "gelu");
        Activation activation = switch (act) {
            case "gelu" -> Activation.GELU;
            case "gelu_new", "gelu_pytorch_tanh" -> Activation.GELU_TANH;
            case "relu" -> Activation.RELU;
            default -> throw new IllegalArgumentException(configName + ": hidden_act '" + act
                    + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)");
        };
        if (albert && (c.path("num_hidden_groups").asInt(1) != 1 || c.path("inner_group_num").asInt(1) != 1)) {
            throw new IllegalArgumentException(configName + ": ALBERT with num_hidden_groups or "
                    + "inner_group_num other than 1 is not supported (one set of layer parameters shared by all)");
        }
        int hidden = required(c, "hidden_size");
        return TransformerConfig.encoderBuilder().vocabSize(required(c, "vocab_size")).maxPositions(required(c,
                "max_position_embeddings")).typeVocabSize(c.path("type_vocab_size").asInt(2)).hiddenSize(hidden)
                .layers(required(c, "num_hidden_layers")).heads(required(c, "num_attention_heads")).intermediateSize(
                        required(c, "intermediate_size"))
                .head(head).dropout(dropout).layerNormEps(c.path(
                        "layer_norm_eps").asDouble(1e-12))
                .embeddingSize(albert
                        ? required(c, "embedding_size")
                        : hidden)
                .shareLayers(albert).activation(activation).build();
    }

    /**
     * The {@code config.json} of a BERT configuration that {@code transformers}' {@code BertModel} reads (the head's
     * pooling kept in {@code finetide_pooling}).
     */
    static ObjectNode bertJson(TransformerConfig config) {
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
        c.put("hidden_act", config.activation().hiddenAct());
        c.put("hidden_dropout_prob", config.dropout());
        c.put("attention_probs_dropout_prob", config.dropout());
        c.put("pad_token_id", 0);
        c.put("num_labels", config.numLabels());
        c.put("finetide_pooling", config.tokenClassification() ? "token" : config.pooling().wireName());
        return c;
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

    static JsonNode readJson(byte[] json, String name) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + name + ": " + e.getMessage());
        }
    }
}
