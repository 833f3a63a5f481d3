package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Serving batches texts from many requests together: each text must get exactly what it gets alone. The predictor cuts
 * a batch into runs of one padded length, so every text runs in the shape it would alone.
 */
class BatchingTest {

    @Test
    void aTextInAMixedLengthBatchGetsBitForBitWhatItGetsAlone() {
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
                    assertThat(classifier.probabilities(List.of(texts.get(i)))[0]).as(texts.get(i)).containsExactly(
                            together[i]);
                }
            }
        }
    }
}
