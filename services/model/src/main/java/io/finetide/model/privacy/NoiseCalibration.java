package io.finetide.model.privacy;

import java.util.ArrayList;
import java.util.List;

/**
 * The noise a run needs to stay within a target ε: ε falls as the noise multiplier grows, so a bisection on σ finds
 * the smallest multiplier (to a relative 1e-4, rounded up) whose composition with the runs already spent meets the
 * target.
 */
public final class NoiseCalibration {

    static final double MAX_NOISE_MULTIPLIER = 1_000;

    private NoiseCalibration() {
    }

    /**
     * @param spent runs already spent on the same data (their RDP counts against the target)
     * @throws IllegalArgumentException when no multiplier up to {@value #MAX_NOISE_MULTIPLIER} meets the target
     */
    public static double noiseMultiplier(double targetEpsilon, double delta, double samplingRate, long steps,
            List<SubsampledGaussian> spent) {
        if (!(targetEpsilon > 0)) {
            throw new IllegalArgumentException("a target ε is positive, not " + targetEpsilon);
        }
        double low = 0;
        double high = 1;
        while (epsilon(high, delta, samplingRate, steps, spent) > targetEpsilon) {
            low = high;
            high *= 2;
            if (high > MAX_NOISE_MULTIPLIER) {
                throw new IllegalArgumentException(String.format(
                        "no noise multiplier up to %.0f keeps ε within %.3g at δ %.3g (the runs already spent use "
                                + "%.3g)",
                        MAX_NOISE_MULTIPLIER, targetEpsilon, delta, RdpAccountant.epsilon(spent,
                                delta)));
            }
        }
        while (high - low > 1e-4 * high) {
            double mid = (low + high) / 2;
            if (epsilon(mid, delta, samplingRate, steps, spent) > targetEpsilon) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return high;
    }

    private static double epsilon(double sigma, double delta, double q, long steps, List<SubsampledGaussian> spent) {
        List<SubsampledGaussian> all = new ArrayList<>(spent);
        all.add(new SubsampledGaussian(q, sigma, steps));
        return RdpAccountant.epsilon(all, delta);
    }
}
