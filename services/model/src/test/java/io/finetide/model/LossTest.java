package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.finetide.model.encoder.Batch;
import io.finetide.model.encoder.EncoderConfig;
import io.finetide.model.encoder.EncoderGraph;
import io.finetide.model.encoder.ParamSpec;
import io.finetide.model.encoder.Weights;

/**
 * The training loss against the formula computed by hand from the same model's probabilities: with label smoothing,
 * -mean over examples of sum over labels of t_k log p_k with t = (1 - e) one-hot + e / K; with class weights, the
 * mean weighted by each example's label weight.
 */
class LossTest {

    static final EncoderConfig CFG = new EncoderConfig(50, 16, 2, 16, 1, 2, 32, 3, "mean", 0, 1e-12);
    static final Weights W = Weights.initialise(CFG, 9);
    static final int[][] IDS = {{1, 5, 7, 2}, {1, 9, 2}, {1, 11, 12, 13, 2}};
    static final Set<String> ALL = ParamSpec.forConfig(CFG).stream().map(ParamSpec::name).collect(Collectors
            .toSet());

    /** The model's probabilities for {@link #IDS}, before any training step. */
    static float[][] probabilities() {
        try (EncoderGraph inference = EncoderGraph.create(CFG, W, EncoderGraph.Options.inference(1))) {
            return inference.predict(Batch.of(IDS, 0, 1, 16));
        }
    }

    /** The loss of one training step on {@link #IDS} (computed before the step's update). */
    static double loss(int[] y, double smoothing, float[] classWeights) {
        try (EncoderGraph g = EncoderGraph.create(CFG, W, new EncoderGraph.Options(true, ALL, 1, 1, smoothing,
                classWeights, 1.0))) {
            return g.trainStep(Batch.of(IDS, 0, 1, 16), y, new EncoderGraph.Step(0, 1e-3, 0, 0, 0)).loss();
        }
    }

    @Test
    void theLossIsCrossEntropyAgainstSmoothedTargets() {
        int[] y = {0, 2, 1};
        float[][] p = probabilities();
        for (double e : new double[]{0.0, 0.1, 0.3}) {
            double expected = 0;
            for (int i = 0; i < IDS.length; i++) {
                for (int k = 0; k < 3; k++) {
                    double t = (k == y[i] ? 1 - e : 0) + e / 3;
                    expected -= t * Math.log(p[i][k]);
                }
            }
            expected /= IDS.length;
            assertThat(loss(y, e, null)).as("smoothing %s", e).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void classWeightsMakeTheLossAWeightedMean() {
        int[] y = {0, 2, 0};
        float[] classWeights = {0.5f, 3f, 2f};
        float[][] p = probabilities();
        double num = 0;
        double den = 0;
        for (int i = 0; i < IDS.length; i++) {
            num += classWeights[y[i]] * -Math.log(p[i][y[i]]);
            den += classWeights[y[i]];
        }
        assertThat(loss(y, 0, classWeights)).isCloseTo(num / den, within(1e-5));
    }
}
