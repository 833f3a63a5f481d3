package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Serving batches texts from many requests together: each text must get what it gets alone. The predictor cuts a batch
 * into runs of one padded length, so every text runs in the sequence shape it would alone; only the run's number of
 * rows differs, and on some CPUs the matrix kernels block (and so round) differently by row count: a few units in the
 * last place (measured: one ulp on a CI machine, none on another), never another label.
 */
class BatchingTest {

    @Test
    void aTextInAMixedLengthBatchGetsWhatItGetsAloneToFloatRounding() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 64)) {
            TransformerConfig cfg = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(
                    64).typeVocabSize(2).hiddenSize(32).layers(2).heads(4).intermediateSize(64).labels(3).pooling(
                            Pooling.CLS)
                    .dropout(0).layerNormEps(1e-12).build();
            ModelBundle bundle = new ModelBundle(cfg, tokenizer.name(), tokenizer.maxLength(), tokenizer.truncation(),
                    List.of("a", "b", "c"), Weights.initialise(cfg, 7), tokenizer.json(), Map.of());
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                // 3 to 50 words: lengths across several padding multiples, shuffled by the index's parity.
                texts.add("word ".repeat(i % 2 == 0 ? 3 + i : 50 - i) + i);
            }
            try (Classifier classifier = Classifier.load(bundle, 2)) {
                float[][] together = classifier.probabilities(texts);
                for (int i = 0; i < texts.size(); i++) {
                    float[] alone = classifier.probabilities(List.of(texts.get(i)))[0];
                    for (int c = 0; c < alone.length; c++) {
                        assertThat(together[i][c]).as(texts.get(i) + " class " + c).isCloseTo(alone[c], within(1e-6f));
                    }
                    assertThat(argmax(together[i])).as(texts.get(i)).isEqualTo(argmax(alone));
                }
            }
        }
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            best = p[i] > p[best] ? i : best;
        }
        return best;
    }
}
