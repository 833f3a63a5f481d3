package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
 * The training loss against the formula computed by hand from the same model's probabilities: with label smoothing,
 * -mean over examples of sum over labels of t_k log p_k with t = (1 - e) one-hot + e / K; with class weights, the
 * mean weighted by each example's label weight.
 */
class LossTest {

    static final TransformerConfig CFG = TransformerConfig.encoderBuilder().vocabSize(50).maxPositions(16)
            .typeVocabSize(2).hiddenSize(16).layers(1).heads(2).intermediateSize(32).labels(3).pooling(Pooling.MEAN)
            .dropout(0).layerNormEps(1e-12).build();
    static final Weights W = Weights.initialise(CFG, 9);
    static final int[][] IDS = {{1, 5, 7, 2}, {1, 9, 2}, {1, 11, 12, 13, 2}};
    static final Set<String> ALL = ParamSpec.forConfig(CFG).stream().map(ParamSpec::name).collect(Collectors
            .toSet());

    /** The model's probabilities for {@link #IDS}, before any training step. */
    static float[][] probabilities() {
        try (TransformerGraph inference = TransformerGraph.create(CFG, W, GraphOptions.inference(1))) {
            return inference.predict(Batch.of(IDS, 0, 1, 16));
        }
    }

    /** The loss of one training step on {@link #IDS} (computed before the step's update). */
    static double loss(int[] y, double smoothing, float[] classWeights) {
        try (TransformerGraph g = TransformerGraph.create(CFG, W, GraphOptions.training(ALL).seed(1).threads(1)
                .labelSmoothing(smoothing).classWeights(classWeights).build())) {
            return g.trainStep(Batch.of(IDS, 0, 1, 16), y, new UpdateStep(0, 1e-3, 0, 0, 0)).loss();
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
