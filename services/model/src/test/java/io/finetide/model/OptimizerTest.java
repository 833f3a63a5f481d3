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
import io.finetide.model.optim.Optimizer;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * The optimizers' updates against the same arithmetic done by hand in double precision from the graph's own
 * gradients: AdamW (decoupled decay, none on biases and LayerNorms), SGD with momentum (L2 decay in the gradient),
 * gradient accumulation and clipping, and per-parameter bias correction under gradual unfreezing.
 */
class OptimizerTest {

    static final TransformerConfig CFG = TransformerConfig.encoderBuilder().vocabSize(30).maxPositions(8)
            .typeVocabSize(2).hiddenSize(8).layers(2).heads(2).intermediateSize(12).labels(3).pooling(Pooling.MEAN)
            .dropout(0).layerNormEps(1e-12).build();
    static final Weights W = GradientCheckTest.scaled(Weights.initialise(CFG, 5), 10);
    static final Set<String> ALL = ParamSpec.forConfig(CFG).stream().map(ParamSpec::name).collect(Collectors.toSet());
    static final Batch BATCH = Batch.of(new int[][]{{1, 5, 7, 2}, {1, 9, 2, 0}, {1, 11, 12, 2}, {1, 3, 4, 2}}, 0, 1,
            8);
    static final int[] Y = {0, 2, 1, 1};
    static final double LR = 1e-2;
    static final double WD = 0.1;

    static TransformerGraph graph(Optimizer optimizer, boolean staged, boolean accumulate) {
        return TransformerGraph.create(CFG, W, GraphOptions.training(ALL).seed(1).threads(1).optimizer(optimizer)
                .momentum(0.9).staged(staged).accumulate(accumulate).build());
    }

    /** The gradients before each of two steps and the weights after each. */
    record TwoSteps(Map<String, float[]> g0, Weights w1, Map<String, float[]> g1, Weights w2) {
    }

    static TwoSteps twoSteps(Optimizer optimizer) {
        try (TransformerGraph g = graph(optimizer, false, false)) {
            Map<String, float[]> g0 = g.probe().gradients(BATCH, Y);
            g.trainStep(BATCH, Y, new UpdateStep(0, LR, WD, 0, 0));
            Weights w1 = g.weights();
            Map<String, float[]> g1 = g.probe().gradients(BATCH, Y);
            g.trainStep(BATCH, Y, new UpdateStep(1, LR, WD, 0, 0));
            return new TwoSteps(g0, w1, g1, g.weights());
        }
    }

    @Test
    void adamWTwoStepsAsComputedByHand() {
        TwoSteps t = twoSteps(Optimizer.ADAMW);
        Map<String, float[]> g0 = t.g0();
        Map<String, float[]> g1 = t.g1();
        Weights w1 = t.w1();
        Weights w2 = t.w2();
        for (ParamSpec p : ParamSpec.forConfig(CFG)) {
            float[] x0 = W.get(p.name()).values();
            for (int i = 0; i < x0.length; i++) {
                double a = g0.get(p.name())[i];
                double b = g1.get(p.name())[i];
                double m1 = 0.1 * a;
                double v1 = 0.001 * a * a;
                double x1 = x0[i] - LR * (m1 / 0.1) / (Math.sqrt(v1 / 0.001) + 1e-8) - (p.decayed()
                        ? LR * WD
                                * x0[i]
                        : 0);
                assertThat((double) w1.get(p.name()).values()[i]).as(p.name() + "[" + i + "] step 1").isCloseTo(
                        x1, within(2e-6 + 1e-5 * Math.abs(x1)));
                double m2 = 0.9 * m1 + 0.1 * b;
                double v2 = 0.999 * v1 + 0.001 * b * b;
                double bc1 = 1 - 0.9 * 0.9;
                double bc2 = 1 - 0.999 * 0.999;
                double w1i = w1.get(p.name()).values()[i];
                double x2 = w1i - LR * (m2 / bc1) / (Math.sqrt(v2 / bc2) + 1e-8) - (p.decayed()
                        ? LR * WD * w1i
                        : 0);
                assertThat((double) w2.get(p.name()).values()[i]).as(p.name() + "[" + i + "] step 2").isCloseTo(
                        x2, within(2e-6 + 1e-5 * Math.abs(x2)));
            }
        }
    }

    @Test
    void sgdWithMomentumTwoStepsAsComputedByHand() {
        TwoSteps t = twoSteps(Optimizer.SGD);
        Map<String, float[]> g0 = t.g0();
        Map<String, float[]> g1 = t.g1();
        Weights w1 = t.w1();
        Weights w2 = t.w2();
        for (ParamSpec p : ParamSpec.forConfig(CFG)) {
            float[] x0 = W.get(p.name()).values();
            for (int i = 0; i < x0.length; i++) {
                double buf1 = g0.get(p.name())[i] + (p.decayed() ? WD * x0[i] : 0);
                double x1 = x0[i] - LR * buf1;
                double w1i = w1.get(p.name()).values()[i];
                assertThat(w1i).as(p.name() + "[" + i + "] step 1").isCloseTo(x1, within(1e-6 + 1e-6 * Math.abs(
                        x1)));
                double buf2 = 0.9 * buf1 + g1.get(p.name())[i] + (p.decayed() ? WD * w1i : 0);
                double x2 = w1i - LR * buf2;
                assertThat((double) w2.get(p.name()).values()[i]).as(p.name() + "[" + i + "] step 2").isCloseTo(
                        x2, within(1e-6 + 1e-6 * Math.abs(x2)));
            }
        }
    }

    @Test
    void accumulatedMicroBatchesEqualOneBigBatchClippingIncluded() {
        Batch first = Batch.of(new int[][]{{1, 5, 7, 2}, {1, 9, 2, 0}}, 0, 1, 8);
        Batch second = Batch.of(new int[][]{{1, 11, 12, 2}, {1, 3, 4, 2}}, 0, 1, 8);
        // A clip far below the gradient norm: clipping must act on the mean gradient, not on each micro-batch.
        UpdateStep step = new UpdateStep(0, LR, WD, 0.05, 0);
        Weights big;
        float bigNorm;
        try (TransformerGraph g = graph(Optimizer.ADAMW, false, false)) {
            bigNorm = g.trainStep(BATCH, Y, step).gradNorm();
            big = g.weights();
        }
        assertThat(bigNorm).isGreaterThan(0.2f);
        try (TransformerGraph g = graph(Optimizer.ADAMW, false, true)) {
            g.accumulate(first, new int[]{0, 2}, step);
            g.accumulate(second, new int[]{1, 1}, new UpdateStep(1, LR, WD, 0.05, 0));
            assertThat(g.weights().get("classifier.weight").values()).isEqualTo(W.get("classifier.weight").values());
            assertThat(g.applyAccumulated(step)).isCloseTo(bigNorm, within(bigNorm * 1e-5f));
            Weights accumulated = g.weights();
            for (String name : ALL) {
                if (name.endsWith("attention.self.key.bias")) {
                    // Its true gradient is zero (GradientCheckTest): Adam scales float noise of 1e-9 up to steps that
                    // differ between any two summation orders.
                    continue;
                }
                float[] a = big.get(name).values();
                float[] b = accumulated.get(name).values();
                for (int i = 0; i < a.length; i++) {
                    assertThat(b[i]).as(name + "[" + i + "]").isCloseTo(a[i], within(1e-6f + 1e-5f * Math.abs(a[i])));
                }
            }
            // The accumulators are empty again: a second update from nothing moves nothing but the decay.
            assertThat(g.state().get("accumulated:examples").values()[0]).isZero();
        }
    }

    @Test
    void aParameterUnfrozenLateGetsItsOwnFirstAdamStep() {
        String head = "classifier.weight";
        String query = ParamSpec.layer(1) + "attention.self.query.weight";
        try (TransformerGraph g = graph(Optimizer.ADAMW, true, false)) {
            for (int s = 0; s < 3; s++) {
                g.trainStep(BATCH, Y, new UpdateStep(s, LR, 0, 0, 0, Set.of(head, "classifier.bias")));
            }
            Weights frozen = g.weights();
            for (String name : ALL) {
                if (!name.startsWith("classifier")) {
                    assertThat(frozen.get(name).values()).as(name).isEqualTo(W.get(name).values());
                }
            }
            g.trainStep(BATCH, Y, new UpdateStep(3, LR, 0, 0, 0, Set.of(head, query)));
            Weights after = g.weights();
            assertThat(g.state().get("steps:" + query).values()[0]).isEqualTo(1f);
            assertThat(g.state().get("steps:" + head).values()[0]).isEqualTo(4f);
            assertThat(g.state().get("steps:classifier.bias").values()[0]).isEqualTo(3f);
            // A first Adam step moves each element by the rate times the gradient's sign: with the global step count
            // (4) the bias corrections would give about 3 times that.
            float[] before = W.get(query).values();
            float[] now = after.get(query).values();
            double largest = 0;
            for (int i = 0; i < before.length; i++) {
                largest = Math.max(largest, Math.abs(now[i] - before[i]));
            }
            assertThat(largest).isCloseTo(LR, within(LR * 0.01));
        }
    }
}
