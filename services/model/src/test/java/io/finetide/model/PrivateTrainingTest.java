package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.PrivateSteps;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.graph.UpdateStep;
import io.finetide.model.optim.Optimizer;
import io.finetide.model.optim.Updates;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.privacy.DpSgd;
import io.finetide.model.privacy.PoissonSampling;
import io.finetide.model.privacy.RdpAccountant;
import io.finetide.model.privacy.SubsampledGaussian;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/** DP-SGD's graph ops against brute force, its noise's scale, its sampling, and a private run that still learns. */
class PrivateTrainingTest {

    static final TransformerConfig TINY = TransformerConfig.encoderBuilder().vocabSize(20).maxPositions(8)
            .typeVocabSize(2).hiddenSize(8).layers(1).heads(2).intermediateSize(12).labels(3).pooling(Pooling.MEAN)
            .dropout(0).layerNormEps(1e-12).build();
    static final Batch FIRST = Batch.of(new int[][]{{1, 5, 7, 2}}, 0, 1, 8);
    static final Batch SECOND = Batch.of(new int[][]{{1, 9, 11, 12, 2}}, 0, 1, 8);

    static Tokenizer tokenizer;

    @BeforeAll
    static void setUp() {
        tokenizer = Tokenizer.builtin("minilm-l6", 32);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
    }

    private static Set<String> everything(TransformerConfig config) {
        return ParamSpec.forConfig(config).stream().map(ParamSpec::name).collect(Collectors.toSet());
    }

    private static GraphOptions privateSgd() {
        return GraphOptions.training(everything(TINY)).seed(3).optimizer(Optimizer.SGD).privateSteps(true).build();
    }

    private static double norm(Map<String, float[]> grads) {
        double sq = 0;
        for (float[] g : grads.values()) {
            for (float v : g) {
                sq += (double) v * v;
            }
        }
        return Math.sqrt(sq);
    }

    @Test
    void theSumHoldsEachExamplesGradientClippedOnItsOwn() {
        Weights w = Weights.initialise(TINY, 5);
        UpdateStep knobs = new UpdateStep(0, 0.1, 0, 0, 0);
        try (TransformerGraph graph = TransformerGraph.create(TINY, w, privateSgd())) {
            Map<String, float[]> g1 = graph.probe().gradients(FIRST, new int[]{2});
            Map<String, float[]> g2 = graph.probe().gradients(SECOND, new int[]{0});
            double n1 = norm(g1);
            double n2 = norm(g2);
            // A clip between the two norms: the larger gradient is scaled down, the smaller passes whole.
            double clip = (Math.min(n1, n2) + Math.max(n1, n2)) / 2;
            PrivateSteps.ClippedBatch c1 = graph.privateSteps().accumulateClipped(FIRST, new int[]{2}, knobs, clip);
            PrivateSteps.ClippedBatch c2 = graph.privateSteps().accumulateClipped(SECOND, new int[]{0}, knobs, clip);
            assertThat((double) c1.gradNorms()[0]).isCloseTo(n1, within(1e-5 * n1));
            assertThat((double) c2.gradNorms()[0]).isCloseTo(n2, within(1e-5 * n2));
            assertThat(c1.loss()).isEqualTo(graph.probe().loss(FIRST, new int[]{2}));

            Weights state = graph.state();
            double s1 = Math.min(1, clip / n1);
            double s2 = Math.min(1, clip / n2);
            assertThat(Math.min(s1, s2)).isLessThan(0.99);
            double summedNorm = 0;
            for (String name : g1.keySet()) {
                float[] sum = state.get(Updates.PRIVATE_SUM + name).values();
                float[] a = g1.get(name);
                float[] b = g2.get(name);
                for (int i = 0; i < sum.length; i++) {
                    double expected = a[i] * s1 + b[i] * s2;
                    assertThat((double) sum[i]).as("%s[%d]", name, i).isCloseTo(expected, within(1e-6 + 1e-4 * Math
                            .abs(expected)));
                    summedNorm += (double) sum[i] * sum[i];
                }
            }
            // Two clipped examples cannot sum to more than two clips.
            assertThat(Math.sqrt(summedNorm)).isLessThanOrEqualTo(2 * clip * (1 + 1e-5));
        }
    }

    /**
     * Ghost clipping of a trained classifier alone: the norms it finds without forming per-example gradients, and the
     * clipped sum it adds in one pass, are those of each example's own gradient, as micro-batches of one find them
     * (the test above).
     */
    @Test
    void ghostClippingOfTheClassifierSumsWhatMicroBatchesOfOneSum() {
        Weights w = Weights.initialise(TINY, 5);
        Set<String> head = Set.of("classifier.weight", "classifier.bias");
        int[][] ids = {{1, 5, 7, 2}, {1, 9, 11, 12, 2}, {1, 3, 2}};
        int[] labels = {2, 0, 1};
        UpdateStep knobs = new UpdateStep(0, 0.1, 0, 0, 0);
        try (TransformerGraph ghost = TransformerGraph.create(TINY, w, GraphOptions.training(head).seed(3)
                .privateSteps(true).build());
                TransformerGraph full = TransformerGraph.create(TINY, w, privateSgd())) {
            assertThat(ghost.privateSteps().clipsBatches()).isTrue();
            assertThat(full.privateSteps().clipsBatches()).isFalse();
            List<Map<String, float[]>> own = new java.util.ArrayList<>();
            double[] norms = new double[ids.length];
            for (int i = 0; i < ids.length; i++) {
                own.add(ghost.probe().gradients(Batch.of(new int[][]{ids[i]}, 0, 1, 8), new int[]{labels[i]}));
                norms[i] = norm(own.get(i));
            }
            double clip = java.util.Arrays.stream(norms).sorted().toArray()[1];
            PrivateSteps.ClippedBatch batch = ghost.privateSteps().accumulateClipped(Batch.of(ids, 0, 1, 8), labels,
                    knobs, clip);
            for (int i = 0; i < ids.length; i++) {
                assertThat((double) batch.gradNorms()[i]).as("example %d's norm", i).isCloseTo(norms[i], within(1e-5
                        * norms[i]));
            }
            Weights together = ghost.state();
            for (String name : head) {
                float[] b = together.get(Updates.PRIVATE_SUM + name).values();
                for (int k = 0; k < b.length; k++) {
                    float a = 0;
                    for (int i = 0; i < ids.length; i++) {
                        a += (float) (own.get(i).get(name)[k] * Math.min(1, clip / norms[i]));
                    }
                    assertThat(b[k]).as("%s[%d]", name, k).isCloseTo(a, within(1e-6f + 1e-4f * Math.abs(a)));
                }
            }
        }
    }

    @Test
    void anUpdateWithoutExamplesMovesEachParameterByTheNoiseAlone() {
        Weights w = Weights.initialise(TINY, 5);
        double clip = 0.5;
        double multiplier = 2.0;
        double expectedBatch = 4;
        try (TransformerGraph graph = TransformerGraph.create(TINY, w, privateSgd())) {
            // SGD at rate 1 without momentum, decay or clipping: each parameter moves by -noise / expected batch.
            graph.privateSteps().applyNoised(new UpdateStep(0, 1.0, 0, 0, 0), new PrivateSteps.Noise(multiplier * clip,
                    77, 0, expectedBatch));
            Weights after = graph.weights();
            double sum = 0;
            double sq = 0;
            long n = 0;
            for (ParamSpec p : ParamSpec.forConfig(TINY)) {
                float[] before = w.get(p.name()).values();
                float[] now = after.get(p.name()).values();
                for (int i = 0; i < now.length; i++) {
                    double d = before[i] - now[i];
                    sum += d;
                    sq += d * d;
                    n++;
                }
            }
            double mean = sum / n;
            double std = Math.sqrt(sq / n - mean * mean);
            double expectedStd = multiplier * clip / expectedBatch;
            assertThat(n).isGreaterThan(800);
            // The sample std of n Gaussian draws is within 4/sqrt(2n) of the truth (relative) with near certainty;
            // the seed is fixed, so this is one known draw, not a flaky one.
            assertThat(std).isCloseTo(expectedStd, within(expectedStd * 4 / Math.sqrt(2.0 * n)));
            assertThat(mean).isCloseTo(0, Offset.offset(expectedStd * 4 / Math.sqrt(n)));
        }
    }

    @Test
    void theNoiseIsAFunctionOfTheSeedAndTheUpdate() {
        Weights w = Weights.initialise(TINY, 5);
        float[][] moved = new float[3][];
        long[][] keys = {{77, 0}, {77, 0}, {78, 0}};
        for (int k = 0; k < 3; k++) {
            try (TransformerGraph graph = TransformerGraph.create(TINY, w, privateSgd())) {
                graph.privateSteps().applyNoised(new UpdateStep(0, 1.0, 0, 0, 0), new PrivateSteps.Noise(1, keys[k][0],
                        keys[k][1], 1));
                moved[k] = graph.weights().get("classifier.weight").values();
            }
        }
        assertThat(moved[1]).containsExactly(moved[0]);
        assertThat(moved[2]).isNotEqualTo(moved[0]);
    }

    @Test
    void poissonBatchesHoldEachExampleAtTheSamplingRate() {
        int examples = 1000;
        double q = 0.05;
        long total = 0;
        int empty = 0;
        int updates = 2000;
        for (long u = 0; u < updates; u++) {
            int[] batch = PoissonSampling.batch(123, u, examples, q);
            total += batch.length;
            empty += batch.length == 0 ? 1 : 0;
            for (int i = 1; i < batch.length; i++) {
                assertThat(batch[i]).isGreaterThan(batch[i - 1]);
            }
        }
        // Mean batch 50 over 2,000 draws: the standard error of the mean is sqrt(50 * 0.95 / 2000) = 0.15.
        assertThat((double) total / updates).isCloseTo(50, within(0.8));
        assertThat(empty).isZero();
        assertThat(PoissonSampling.batch(123, 7, examples, q)).containsExactly(PoissonSampling.batch(123, 7,
                examples, q));
        assertThat(PoissonSampling.batch(124, 7, examples, q)).isNotEqualTo(PoissonSampling.batch(123, 7, examples,
                q));
        // A rate of 0.001 on 100 examples leaves most batches empty: those updates are noise alone.
        assertThat(PoissonSampling.batch(1, 1, 100, 0.001)).isEmpty();
    }

    /**
     * A pretrained encoder has the words; its head learns the task privately. The run's spend comes back for the
     * accountant, and the noise seed stays out of the configuration's text.
     */
    @Test
    void aPrivateRunStillLearnsAndReportsWhatItSpent() {
        List<LabelledText> train = EncoderTrainingTest.data(400, 1);
        List<LabelledText> val = EncoderTrainingTest.data(100, 2);
        PretrainedEncoders.Pretrained pre = PretrainedEncoders.load("minilm-l6", HeadSpec.sequence(2,
                PretrainedEncoders.base("minilm-l6").pooling()), 0.0, 3);
        DpSgd dp = new DpSgd(1.0, 1.0, 987_654_321L);
        TrainingConfig tc = TrainingConfig.builder().learningRate(1e-2).batchSize(40).epochs(4).seed(42).maxGradNorm(0)
                .dropout(0).threads(2).privacy(dp).build();
        Trainer.Result r = Trainer.train(pre.config(), pre.weights(), tokenizer, train, val, tc, Strategy.headOnly(),
                TrainingListener.NONE);
        // 400 examples at an expected 40: 10 updates per epoch, each example sampled at 0.1.
        assertThat(r.privacySpent()).isEqualTo(new SubsampledGaussian(0.1, dp.noiseMultiplier(), 10L * tc.epochs()));
        double epsilon = RdpAccountant.epsilon(List.of(r.privacySpent()), 1e-5);
        // dp-accounting gives the same to four digits (RdpAccountantTest's method); 1.0 without noise would be ∞.
        assertThat(epsilon).isCloseTo(5.39, within(0.01));
        assertThat(r.best().validationScore()).as("validation accuracy at ε %.2f", epsilon).isGreaterThanOrEqualTo(
                0.9);
        assertThat(tc.toString()).doesNotContain("987654321");
    }

    @Test
    void gradientAccumulationIsRefusedWithDpSgd() {
        assertThatThrownBy(() -> TrainingConfig.builder().accumulationSteps(2).privacy(new DpSgd(1, 1, 1)).build())
                .hasMessageContaining("DP-SGD");
        assertThatThrownBy(() -> new DpSgd(0, 1, 1)).hasMessageContaining("clipping norm");
    }
}
