package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.finetide.model.metrics.Calibration;
import io.finetide.model.metrics.McNemar;
import io.finetide.model.metrics.PairedBootstrap;
import io.finetide.model.metrics.TemperatureScaling;

/** The statistics a promotion gate rests on, against values worked out by hand. */
class GateStatisticsTest {

    static boolean[] outcomes(int right, int wrong) {
        boolean[] out = new boolean[right + wrong];
        Arrays.fill(out, 0, right, true);
        return out;
    }

    @Test
    void mcNemarsExactPValueIsTwiceTheSmallerBinomialTail() {
        // 1 against 9 discordant pairs: 2 (C(10,0) + C(10,1)) / 2^10 = 22/1024.
        assertThat(mcNemar(1, 9).pValue()).isCloseTo(22 / 1024.0, within(1e-15));
        // 0 against 6: 2 / 2^6. (Summed in log space: equal to the last bits, not exactly.)
        assertThat(mcNemar(0, 6).pValue()).isCloseTo(2 / 64.0, within(1e-15));
        // 3 against 12: 2 (1 + 15 + 105 + 455) / 2^15 = 1152/32768.
        assertThat(mcNemar(3, 12).pValue()).isCloseTo(1152 / 32768.0, within(1e-15));
        // A tie, and no disagreement at all: no evidence either way.
        assertThat(mcNemar(5, 5).pValue()).isEqualTo(1.0);
        assertThat(mcNemar(0, 0).pValue()).isEqualTo(1.0);
        // Large counts do not underflow: 400 against 600 is z = 6.3, p about 2.6e-10.
        assertThat(mcNemar(400, 600).pValue()).isBetween(1e-10, 5e-10);
    }

    /** Paired outcomes with {@code b} examples only the candidate gets right, {@code c} only the champion, 7 both. */
    static McNemar mcNemar(int b, int c) {
        boolean[] candidate = new boolean[b + c + 7];
        boolean[] champion = new boolean[b + c + 7];
        for (int i = 0; i < candidate.length; i++) {
            candidate[i] = i < b || i >= b + c;
            champion[i] = i >= b;
        }
        McNemar m = McNemar.of(candidate, champion);
        assertThat(m.candidateOnly()).isEqualTo(b);
        assertThat(m.championOnly()).isEqualTo(c);
        return m;
    }

    static double accuracy(boolean[] correct, int[] sample) {
        long right = Arrays.stream(sample).filter(i -> correct[i]).count();
        return right / (double) sample.length;
    }

    @Test
    void aPairedBootstrapIntervalOfAnAccuracyDifference() {
        // Always right against always wrong: every resample differs by exactly 1.
        boolean[] right = outcomes(20, 0);
        boolean[] wrong = outcomes(0, 20);
        PairedBootstrap sure = PairedBootstrap.difference(20, s -> accuracy(right, s), s -> accuracy(wrong, s), 1000,
                0.95, 7);
        assertThat(sure.estimate()).isEqualTo(1.0);
        assertThat(sure.lower()).isEqualTo(1.0);
        assertThat(sure.upper()).isEqualTo(1.0);

        // Two examples, each model right on one: a resample of two differs by +1 (both draws the candidate's, 1/4),
        // 0 (1/2) or -1 (1/4); the 2.5th and 97.5th percentiles of 1,000 resamples are -1 and +1.
        boolean[] first = {true, false};
        boolean[] second = {false, true};
        PairedBootstrap even = PairedBootstrap.difference(2, s -> accuracy(first, s), s -> accuracy(second, s), 1000,
                0.95, 42);
        assertThat(even.estimate()).isZero();
        assertThat(even.lower()).isEqualTo(-1.0);
        assertThat(even.upper()).isEqualTo(1.0);
        assertThat(even.resamples()).isEqualTo(1000);
        // Seeded: the same seed gives the same interval.
        assertThat(PairedBootstrap.difference(2, s -> accuracy(first, s), s -> accuracy(second, s), 1000, 0.95, 42))
                .isEqualTo(even);
    }

    @Test
    void calibrationOfAnOverconfidentClassifier() {
        // Four examples all at 0.8 for class 0, three of them truly 0: accuracy 0.75 in the (0.7, 0.8] bin.
        double[][] p = {{0.8, 0.2}, {0.8, 0.2}, {0.8, 0.2}, {0.8, 0.2}};
        Calibration c = Calibration.of(p, new int[]{0, 0, 0, 1}, 10);
        assertThat(c.ece()).isCloseTo(0.05, within(1e-12));
        // Right: (0.2)^2 + (0.2)^2 = 0.08; wrong: (0.8)^2 + (0.8)^2 = 1.28; mean (3 * 0.08 + 1.28) / 4.
        assertThat(c.brier()).isCloseTo(0.38, within(1e-12));
        assertThat(c.logLoss()).isCloseTo(-(3 * Math.log(0.8) + Math.log(0.2)) / 4, within(1e-12));

        Calibration perfect = Calibration.of(new double[][]{{1, 0}, {0, 1}}, new int[]{0, 1}, 10);
        assertThat(perfect.ece()).isZero();
        assertThat(perfect.brier()).isZero();
        assertThat(perfect.logLoss()).isZero();
    }

    @Test
    void theFittedTemperatureMakesConfidenceMatchFrequency() {
        // Every example has logits (4, 0); 881 of 1,000 are truly class 0. The likelihood is best where
        // sigmoid(4 / T) = 0.881, at T = 4 / ln(881 / 119), about 2.
        double[][] logits = new double[1000][];
        int[] labels = new int[1000];
        for (int i = 0; i < 1000; i++) {
            logits[i] = new double[]{4, 0};
            labels[i] = i < 881 ? 0 : 1;
        }
        double t = TemperatureScaling.fit(logits, labels);
        assertThat(t).isCloseTo(4 / Math.log(881 / 119.0), within(1e-4));
        double[] p = TemperatureScaling.probabilities(logits[0], t);
        assertThat(p[0]).isCloseTo(0.881, within(1e-4));
        assertThat(p[0] + p[1]).isCloseTo(1.0, within(1e-12));
        // Scaling never changes a prediction.
        assertThat(TemperatureScaling.probabilities(new double[]{1, 3, 2}, 7.5)).satisfies(q -> assertThat(q[1])
                .isGreaterThan(q[2]).isGreaterThan(q[0]));
        assertThat(TemperatureScaling.nll(logits, labels, t)).isLessThan(TemperatureScaling.nll(logits, labels, 1));
    }

    @Test
    void aTemperatureRescalesProbabilitiesAsItWouldTheLogits() {
        // softmax([0, ln 3]) = [0.25, 0.75]; at T = 2 the logits halve: softmax([0, ln 3 / 2]) = [1, sqrt 3] / (1 + sqrt 3).
        float[] p = TemperatureScaling.rescale(new float[]{0.25f, 0.75f}, 2);
        double s3 = Math.sqrt(3);
        assertThat(p[0]).isCloseTo((float) (1 / (1 + s3)), org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(p[1]).isCloseTo((float) (s3 / (1 + s3)), org.assertj.core.data.Offset.offset(1e-6f));
        float[] same = {0.25f, 0.75f};
        assertThat(TemperatureScaling.rescale(same, 1)).isSameAs(same);
    }

    @Test
    void theReliabilityDiagramHasEveryBinsConfidenceAccuracyAndCount() {
        // Two examples at 0.95 (one right), one at 0.55 (right): bins (0.5, 0.6] and (0.9, 1.0].
        Calibration c = Calibration.of(new double[][]{{0.95, 0.05}, {0.95, 0.05}, {0.45, 0.55}}, new int[]{0, 1, 1},
                10);
        assertThat(c.reliability()).hasSize(10);
        assertThat(c.reliability().get(9)).isEqualTo(new Calibration.Bin(0.95, 0.5, 2));
        assertThat(c.reliability().get(5)).isEqualTo(new Calibration.Bin(0.55, 1.0, 1));
        assertThat(c.reliability().get(0).count()).isZero();
        // ECE: 2/3 * |0.5 - 0.95| + 1/3 * |1 - 0.55| = 0.45.
        assertThat(c.ece()).isCloseTo(0.45, org.assertj.core.data.Offset.offset(1e-12));
    }
}
