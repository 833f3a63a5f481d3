package io.finetide.model.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The attack's AUC on losses whose answer is known, and against the pairwise definition on random ones. */
class MembershipInferenceTest {

    @Test
    void knownOrderingsGiveTheirArea() {
        // Every member below every non-member: the attack is perfect.
        assertThat(MembershipInference.auc(new double[]{0.1, 0.2}, new double[]{0.3, 0.4, 0.5})).isEqualTo(1.0);
        assertThat(MembershipInference.auc(new double[]{0.9}, new double[]{0.3, 0.4})).isEqualTo(0.0);
        // Ties count half: the losses say nothing.
        assertThat(MembershipInference.auc(new double[]{0.5, 0.5}, new double[]{0.5})).isEqualTo(0.5);
        // Member 0.2 beats 0.3 and 0.4; member 0.35 beats 0.4 only: 3 of 4 pairs.
        assertThat(MembershipInference.auc(new double[]{0.2, 0.35}, new double[]{0.3, 0.4})).isEqualTo(0.75);
    }

    @Test
    void agreesWithThePairwiseCountOnRandomLosses() {
        Random r = new Random(4);
        double[] m = new double[300];
        double[] n = new double[200];
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.round(r.nextGaussian() * 10) / 10.0;
        }
        for (int i = 0; i < n.length; i++) {
            n[i] = Math.round((r.nextGaussian() + 0.3) * 10) / 10.0;
        }
        double pairs = 0;
        for (double x : m) {
            for (double y : n) {
                pairs += x < y ? 1 : x == y ? 0.5 : 0;
            }
        }
        assertThat(MembershipInference.auc(m, n)).isCloseTo(pairs / (m.length * n.length), within(1e-12));
    }
}
