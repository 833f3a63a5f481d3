package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.tokenizer.Truncation;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/** The task's truncation policy on the real MiniLM tokenizer, and its journey through a model bundle to serving. */
class TruncationPolicyTest {

    static final String LONG = "the first words set the scene but the verdict comes at the very end : it was wonderful";

    @Test
    void eachPolicyKeepsItsPartOfALongTextAndBothSpecialTokens() {
        int[] full;
        try (Tokenizer all = Tokenizer.builtin("minilm-l6", 512)) {
            full = all.encode(LONG);
        }
        assertThat(full.length).isGreaterThan(12);
        int cls = full[0];
        int sep = full[full.length - 1];
        try (Tokenizer head = Tokenizer.builtin("minilm-l6", 8, Truncation.HEAD);
                Tokenizer tail = Tokenizer.builtin("minilm-l6", 8, Truncation.TAIL);
                Tokenizer both = Tokenizer.builtin("minilm-l6", 10, Truncation.HEAD_AND_TAIL)) {
            int[] h = head.encode(LONG);
            int[] t = tail.encode(LONG);
            int[] b = both.encode(LONG);
            assertThat(h).hasSize(8).startsWith(cls).endsWith(sep);
            assertThat(Arrays.copyOfRange(h, 1, 7)).isEqualTo(Arrays.copyOfRange(full, 1, 7));
            assertThat(Arrays.copyOfRange(t, 1, 7)).isEqualTo(Arrays.copyOfRange(full, full.length - 7, full.length
                    - 1));
            // 8 content tokens: 2 from the start, 6 from the end.
            assertThat(Arrays.copyOfRange(b, 1, 3)).isEqualTo(Arrays.copyOfRange(full, 1, 3));
            assertThat(Arrays.copyOfRange(b, 3, 9)).isEqualTo(Arrays.copyOfRange(full, full.length - 7, full.length
                    - 1));
            assertThat(tail.encode("short")).isEqualTo(head.encode("short"));
            Tokenizer.Analysis a = tail.analyse(LONG);
            assertThat(a.ids()).isEqualTo(t);
            assertThat(a.special()).isEqualTo(2);
        }
    }

    @Test
    void theBundleCarriesThePolicyToServing() {
        try (Tokenizer tail = Tokenizer.builtin("minilm-l6", 8, Truncation.TAIL);
                Tokenizer head = Tokenizer.builtin("minilm-l6", 8, Truncation.HEAD)) {
            TransformerConfig cfg = TransformerConfig.encoderBuilder().vocabSize(tail.vocabSize()).maxPositions(16)
                    .typeVocabSize(2).hiddenSize(16).layers(1).heads(2).intermediateSize(32).labels(2)
                    .pooling(Pooling.MEAN).dropout(0).layerNormEps(1e-12).build();
            Weights w = Weights.initialise(cfg, 5);
            ModelBundle tailBundle = ModelBundle.fromBytes(new ModelBundle(cfg, tail.name(), 8, Truncation.TAIL,
                    List.of("a", "b"), w, tail.json(), Map.of()).toBytes());
            ModelBundle headBundle = ModelBundle.fromBytes(new ModelBundle(cfg, head.name(), 8, Truncation.HEAD,
                    List.of("a", "b"), w, head.json(), Map.of()).toBytes());
            assertThat(tailBundle.truncation()).isEqualTo(Truncation.TAIL);
            try (Classifier c = Classifier.load(tailBundle, 1); Classifier d = Classifier.load(headBundle, 1)) {
                // The same weights see other tokens of a long text, and the same tokens of a short one.
                assertThat(c.probabilities(List.of(LONG))[0]).isNotEqualTo(d.probabilities(List.of(LONG))[0]);
                assertThat(c.probabilities(List.of("short"))[0]).isEqualTo(d.probabilities(List.of("short"))[0]);
            }
        }
    }
}
