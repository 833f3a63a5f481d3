package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.graph.UpdateStep;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Discriminative learning rates on the first AdamW step, where the bias-corrected update of every element with a
 * gradient is the learning rate times its sign (up to Adam's epsilon): the largest change of each parameter is the learning rate times its
 * layer's factor.
 */
class LayerDecayTest {

    @Test
    void eachLayerDownLearnsAtTheDecayTimesTheRateAbove() {
        TransformerConfig cfg = TransformerConfig.encoderBuilder().vocabSize(40).maxPositions(16).typeVocabSize(2)
                .hiddenSize(16).layers(2).heads(2).intermediateSize(32).labels(2).pooling(Pooling.MEAN).dropout(0)
                .layerNormEps(1e-12).build();
        Weights before = Weights.initialise(cfg, 3);
        Set<String> all = ParamSpec.forConfig(cfg).stream().map(ParamSpec::name).collect(Collectors.toSet());
        float lr = 1e-3f;
        Weights after;
        try (TransformerGraph g = TransformerGraph.create(cfg, before,
                GraphOptions.training(all).seed(1).threads(1).layerDecay(0.5).build())) {
            // The first step: no weight decay, no clipping.
            g.trainStep(Batch.of(new int[][]{{1, 5, 7, 2}, {1, 9, 11, 12, 2}}, 0, 1, 16), new int[]{0, 1},
                    new UpdateStep(0, lr, 0, 0, 0));
            after = g.weights();
        }
        Map<String, Double> expected = Map.of("classifier.weight", 1.0, ParamSpec.layer(1)
                + "attention.self.query.weight", 0.5, ParamSpec.layer(0) + "attention.self.query.weight", 0.25,
                ParamSpec.layer(0) + "output.dense.weight", 0.25, ParamSpec.WORD_EMBEDDINGS, 0.125);
        expected.forEach((name, factor) -> {
            float[] a = before.get(name).values();
            float[] b = after.get(name).values();
            double largest = 0;
            for (int i = 0; i < a.length; i++) {
                largest = Math.max(largest, Math.abs(b[i] - a[i]));
            }
            // Adam's epsilon (1e-8) shaves a little off elements with tiny gradients: 2% leaves the factors of 2
            // between layers far apart.
            assertThat(largest).as(name).isCloseTo(lr * factor, within(lr * factor * 0.02));
        });
    }
}
