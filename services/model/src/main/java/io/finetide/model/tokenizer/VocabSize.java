package io.finetide.model.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the vocabulary size of a tokenizer.json (largest id + 1, counting added tokens). */
final class VocabSize {

    private VocabSize() {
    }

    static int of(byte[] json) {
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            int max = -1;
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject()) {
                for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
                    max = Math.max(max, id.asInt());
                }
            }
            for (JsonNode added : root.path("added_tokens")) {
                max = Math.max(max, added.path("id").asInt());
            }
            if (max < 0) {
                throw new IllegalArgumentException("tokenizer.json has no vocabulary");
            }
            return max + 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
