package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.finetide.model.adapters.Lora;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.graph.UpdateStep;
import io.finetide.model.train.Strategy;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * LoRA: the adapted graph starts as the base, trains only adapters and head, and the merged weights it exports give a
 * plain encoder with the adapted graph's outputs.
 */
class LoraTest {

    static final TransformerConfig CFG = TransformerConfig.encoderBuilder().vocabSize(30).maxPositions(8)
            .typeVocabSize(2).hiddenSize(16).layers(2).heads(2).intermediateSize(24).labels(3).pooling(Pooling.MEAN)
            .dropout(0).layerNormEps(1e-12).build();
    static final Batch BATCH = Batch.of(new int[][]{{1, 5, 7, 2}, {1, 9, 2}, {1, 11, 12, 13, 2}, {1, 3, 4, 2}}, 0,
            1, 8);
    static final int[] Y = {0, 2, 1, 1};

    @Test
    void mergedWeightsServeWhatTheAdaptedGraphComputes() {
        Weights base = GradientCheckTest.scaled(Weights.initialise(CFG, 8), 10);
        Lora lora = new Lora(4, 8, EnumSet.of(Lora.Target.QUERY, Lora.Target.VALUE, Lora.Target.INTERMEDIATE));
        Set<String> trainable = Strategy.lora(lora).trainable(CFG);
        float[][] baseline = predict(base);
        float[][] adaptedStart;
        float[][] adapted;
        Weights merged;
        Weights state;
        try (TransformerGraph g = TransformerGraph.create(CFG, base,
                GraphOptions.training(trainable).seed(3).threads(1).lora(lora).build())) {
            adaptedStart = g.predict(BATCH);
            for (int s = 0; s < 5; s++) {
                g.trainStep(BATCH, Y, new UpdateStep(s, 1e-2, 0.01, 1.0, 0));
            }
            adapted = g.predict(BATCH);
            merged = g.weights();
            state = g.state();
        }
        // B starts at zero: before training the adapters change nothing. To rounding only: the plain graph's projections
        // run as one fused MatMul+BiasAdd kernel, the adapted graph's (with the adapter's sum after them) as another.
        for (int i = 0; i < baseline.length; i++) {
            for (int k = 0; k < baseline[i].length; k++) {
                assertThat(adaptedStart[i][k]).isCloseTo(baseline[i][k], within(1e-6f));
            }
        }
        // The base weights under the adapters never moved; the adapters did.
        for (ParamSpec p : ParamSpec.forConfig(CFG)) {
            if (!p.name().startsWith("classifier")) {
                assertThat(state.get(p.name()).values()).as(p.name()).isEqualTo(base.get(p.name()).values());
            }
        }
        assertThat(state.get(ParamSpec.layer(1) + "attention.self.value" + Lora.B).values()).isNotEqualTo(
                new float[4 * 16]);
        // Export merges W + (alpha / r) A B into the adapted projections only.
        for (ParamSpec p : ParamSpec.forConfig(CFG)) {
            boolean adaptedWeight = p.name().endsWith("attention.self.query.weight") || p.name().endsWith(
                    "attention.self.value.weight") || p.name().endsWith("intermediate.dense.weight")
                    || p.name()
                            .startsWith("classifier.weight");
            if (adaptedWeight) {
                assertThat(merged.get(p.name()).values()).as(p.name()).isNotEqualTo(base.get(p.name()).values());
            } else if (!p.name().startsWith("classifier")) {
                assertThat(merged.get(p.name()).values()).as(p.name()).isEqualTo(base.get(p.name()).values());
            }
        }
        float[] a = state.get(ParamSpec.layer(0) + "intermediate.dense" + Lora.A).values();
        float[] b = state.get(ParamSpec.layer(0) + "intermediate.dense" + Lora.B).values();
        float[] w = base.get(ParamSpec.layer(0) + "intermediate.dense.weight").values();
        float[] m = merged.get(ParamSpec.layer(0) + "intermediate.dense.weight").values();
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 24; j++) {
                double ab = 0;
                for (int k = 0; k < 4; k++) {
                    ab += a[i * 4 + k] * b[k * 24 + j];
                }
                assertThat((double) m[i * 24 + j]).isCloseTo(w[i * 24 + j] + 2.0 * ab, within(1e-5));
            }
        }
        // A plain inference graph with the merged weights answers as the adapted graph did.
        float[][] served = predict(merged);
        for (int i = 0; i < served.length; i++) {
            for (int k = 0; k < served[i].length; k++) {
                assertThat(served[i][k]).isCloseTo(adapted[i][k], within(1e-5f));
            }
            assertThat(adapted[i]).isNotEqualTo(baseline[i]);
        }
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new Lora(0, 8, Set.of(Lora.Target.QUERY))).hasMessageContaining("rank");
        assertThatThrownBy(() -> new Lora(4, 8, Set.of())).hasMessageContaining("target");
        assertThatThrownBy(() -> Lora.Target.parse("queries")).hasMessageContaining("unknown LoRA target 'queries'");
        assertThat(Lora.Target.parse("attention_output")).isEqualTo(Lora.Target.ATTENTION_OUTPUT);
        assertThat(Lora.of(8, 16).params(CFG)).hasSize(2 * 2 * 2);
    }

    private static float[][] predict(Weights w) {
        try (TransformerGraph g = TransformerGraph.create(CFG, w, GraphOptions.inference(1))) {
            return g.predict(BATCH);
        }
    }
}
