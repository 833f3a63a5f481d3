package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.tokenizer.Truncation;

/**
 * A byte-level BPE {@code tokenizer.json} (RoBERTa's template) trained by the Rust {@code tokenizers} library
 * ({@code benchmarks/python/reference_tokenizer.py}): our encoder gives the library's ids for texts with accents, a
 * currency sign and an emoji, and for a pair; it finds the tokenizer's own padding id; and a pair whose template gives
 * both texts type 0 is still cut longest-first, text by text.
 */
class BpeTokenizerTest {

    @Test
    void aByteLevelBpeTokenizerEncodesAsTheLibraryDoes() throws Exception {
        Path dir = ReferenceParityTest.fixture("bpe-tiny");
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        byte[] json = Files.readAllBytes(dir.resolve("tokenizer.json"));
        try (Tokenizer tokenizer = Tokenizer.fromJson("bpe-tiny", json, 64, Truncation.HEAD)) {
            assertThat(tokenizer.padId()).isEqualTo(expected.get("pad_id").asInt()).isEqualTo(1);
            assertThat(tokenizer.vocabSize()).isEqualTo(expected.get("vocab_size").asInt());
            List<String> texts = new ArrayList<>();
            expected.get("texts").forEach(t -> texts.add(t.asText()));
            for (int i = 0; i < texts.size(); i++) {
                assertThat(tokenizer.encode(texts.get(i))).as(texts.get(i)).containsExactly(ints(expected.get("ids")
                        .get(i)));
            }
            Tokenizer.Pair pair = tokenizer.encodePair(texts.get(0), texts.get(1));
            assertThat(pair.ids()).containsExactly(ints(expected.get("pair_ids")));
            assertThat(pair.typeIds()).containsExactly(ints(expected.get("pair_type_ids")));
        }
        try (Tokenizer short12 = Tokenizer.fromJson("bpe-tiny", json, 12, Truncation.HEAD)) {
            // 8 + 8 tokens and 4 special ones in 12: each text keeps its first 4 (a tie takes from the second first).
            int[] a = ints(expected.get("ids").get(0));
            int[] b = ints(expected.get("ids").get(1));
            Tokenizer.Pair cut = short12.encodePair(expected.get("texts").get(0).asText(), expected.get("texts")
                    .get(1).asText());
            assertThat(cut.ids()).containsExactly(a[0], a[1], a[2], a[3], a[4], 2, 2, b[1], b[2], b[3], b[4], 2);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
