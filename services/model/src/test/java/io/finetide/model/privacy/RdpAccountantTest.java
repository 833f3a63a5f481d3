package io.finetide.model.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * Against Google's dp-accounting: {@code privacy/rdp-reference.tsv} holds the ε its RdpAccountant gives for a table of
 * (q, σ, steps, δ) cases and compositions of several runs (benchmarks/python/privacy_reference.py wrote it).
 */
class RdpAccountantTest {

    record Case(List<SubsampledGaussian> runs, double delta, double epsilon) {
    }

    @Test
    void epsilonMatchesDpAccountingOnEveryCaseOfTheTable() throws IOException {
        List<Case> cases = reference();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(18);
        for (Case c : cases) {
            // The issue asks two significant digits; the same formulas agree far closer.
            assertThat(RdpAccountant.epsilon(c.runs(), c.delta())).as("%s at δ %s", c.runs(), c.delta())
                    .isCloseTo(c.epsilon(), Percentage.withPercentage(0.01));
        }
    }

    @Test
    void runsComposeByAddingTheirRdpPerOrder() {
        SubsampledGaussian a = new SubsampledGaussian(0.01, 1.1, 1000);
        SubsampledGaussian b = new SubsampledGaussian(0.02, 1.1, 500);
        double[] both = RdpAccountant.rdp(List.of(a, b));
        double[] sum = RdpAccountant.rdp(List.of(a));
        double[] rb = RdpAccountant.rdp(List.of(b));
        for (int k = 0; k < sum.length; k++) {
            sum[k] += rb[k];
        }
        assertThat(both).containsExactly(sum, within(1e-9));
        // Far below adding up the runs' ε.
        assertThat(RdpAccountant.epsilon(List.of(a, b), 1e-5)).isLessThan(RdpAccountant.epsilon(List.of(a), 1e-5)
                + RdpAccountant.epsilon(List.of(b), 1e-5));
    }

    @Test
    void withoutSamplingTheGaussianMechanismsRdpIsAlphaOverTwoSigmaSquared() {
        assertThat(RdpAccountant.rdpOfOneStep(1, 2, 10)).isEqualTo(10 / 8.0);
        assertThat(RdpAccountant.rdpOfOneStep(0, 2, 10)).isZero();
        assertThat(RdpAccountant.rdpOfOneStep(0.1, 0, 10)).isInfinite();
        assertThat(RdpAccountant.epsilon(List.of(), 1e-5)).isZero();
    }

    @Test
    void moreStepsOrLessNoiseSpendMore() {
        double base = RdpAccountant.epsilon(List.of(new SubsampledGaussian(0.01, 1.0, 1000)), 1e-5);
        assertThat(RdpAccountant.epsilon(List.of(new SubsampledGaussian(0.01, 1.0, 2000)), 1e-5)).isGreaterThan(base);
        assertThat(RdpAccountant.epsilon(List.of(new SubsampledGaussian(0.01, 0.9, 1000)), 1e-5)).isGreaterThan(base);
        assertThat(RdpAccountant.epsilon(List.of(new SubsampledGaussian(0.02, 1.0, 1000)), 1e-5)).isGreaterThan(base);
    }

    @Test
    void theCalibratedNoiseIsTheSmallestThatMeetsTheTarget() {
        // The table's first case: q 0.01, σ 1.1, 1,000 steps, δ 1e-5 spend ε 1.7117701662429012.
        double sigma = NoiseCalibration.noiseMultiplier(1.7117701662429012, 1e-5, 0.01, 1000, List.of());
        assertThat(sigma).isCloseTo(1.1, within(1e-3));
        assertThat(RdpAccountant.epsilon(List.of(new SubsampledGaussian(0.01, sigma, 1000)), 1e-5)).isLessThanOrEqualTo(
                1.7117701662429012);
        assertThat(RdpAccountant.epsilon(List.of(new SubsampledGaussian(0.01, sigma * 0.999, 1000)), 1e-5))
                .isGreaterThan(1.7117701662429012);
    }

    @Test
    void calibrationCountsTheRunsAlreadySpent() {
        List<SubsampledGaussian> spent = List.of(new SubsampledGaussian(0.01, 1.1, 1000));
        double fresh = NoiseCalibration.noiseMultiplier(3, 1e-5, 0.01, 1000, List.of());
        double after = NoiseCalibration.noiseMultiplier(3, 1e-5, 0.01, 1000, spent);
        assertThat(after).isGreaterThan(fresh);
        List<SubsampledGaussian> all = new ArrayList<>(spent);
        all.add(new SubsampledGaussian(0.01, after, 1000));
        assertThat(RdpAccountant.epsilon(all, 1e-5)).isLessThanOrEqualTo(3);
        // A target the runs already spent exceed is refused with the spend in the reason.
        assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(1.5, 1e-5, 0.01, 1000, spent)).hasMessageContaining(
                "1.71");
    }

    private static List<Case> reference() throws IOException {
        try (InputStream in = RdpAccountantTest.class.getResourceAsStream("/privacy/rdp-reference.tsv")) {
            List<Case> cases = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                List<SubsampledGaussian> runs = Arrays.stream(f[0].split(",")).map(r -> r.split(":")).map(
                        r -> new SubsampledGaussian(Double.parseDouble(r[0]), Double.parseDouble(r[1]), Long.parseLong(
                                r[2])))
                        .toList();
                cases.add(new Case(runs, Double.parseDouble(f[1]), Double.parseDouble(f[2])));
            }
            return cases;
        }
    }
}
