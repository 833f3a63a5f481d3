package io.finetide.model.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.CompletionWriter;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.tokenizer.Truncation;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A completion's likelihood read through the key/value cache a token at a time equals the full graph's over the
 * whole sequence at once, and a pair longer than the model reads loses the prompt's start.
 */
class CompletionLikelihoodTest {

    private static final int END = 102;

    @Test
    void aCompletionsLikelihoodIsTheFullGraphsOverItsTokensAndTheEnd() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 64)) {
            for (int positions : List.of(64, 8)) {
                TransformerConfig config = TransformerConfig.decoderBuilder().vocabSize(tokenizer.vocabSize())
                        .maxPositions(positions).hiddenSize(32).layers(2).heads(2).intermediateSize(64).labels(0)
                        .head(Head.LANGUAGE_MODEL).dropout(0).build();
                Weights weights = Weights.initialise(config, 9);
                ModelBundle bundle = new ModelBundle(config, "minilm-l6", 64, Truncation.HEAD, List.of(), weights,
                        tokenizer.json(), Map.of(ModelBundle.END_OF_TEXT, END));
                String prompt = "the colour of a ripe banana is";
                String completion = "bright yellow";
                int[] p = tokenizer.encodePlain(prompt);
                int[] c = tokenizer.encodePlain(completion);
                int[] target = Arrays.copyOf(c, c.length + 1);
                target[c.length] = END;
                // With 8 positions the prompt keeps its last 8 - 3 tokens.
                int[] kept = Arrays.copyOfRange(p, Math.max(0, p.length - (positions - target.length)), p.length);
                int[] sequence = new int[kept.length + target.length - 1];
                System.arraycopy(kept, 0, sequence, 0, kept.length);
                System.arraycopy(target, 0, sequence, kept.length, target.length - 1);
                double expected = 0;
                try (TransformerGraph graph = TransformerGraph.create(config, weights, GraphOptions.inference(1))) {
                    float[][] logits = graph.logits(Batch.of(new int[][]{sequence}, 0, 1, positions));
                    for (int t = 0; t < target.length; t++) {
                        expected += io.finetide.model.stats.Softmax.logProbability(logits[kept.length - 1 + t],
                                target[t]);
                    }
                }
                try (CompletionWriter writer = CompletionWriter.load(bundle, 1)) {
                    CompletionWriter.Likelihood l = writer.likelihood(prompt, completion);
                    assertThat(l.tokens()).isEqualTo(target.length);
                    assertThat(l.logProbability()).isCloseTo(expected, within(1e-3));
                    assertThat(l.logProbability()).isLessThan(0);
                }
            }
        }
    }
}
