package io.finetide.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.finetide.evaluation.gate.PromotionGate;
import io.finetide.proto.v1.Metrics;

class PromotionGateTest {

    static Metrics f1(double f1) {
        return Metrics.newBuilder().setExamples(100).setMacroF1(f1).build();
    }

    @Test
    void blessesTheFirstModelAndBetterOnesByTheMargin() {
        assertThat(PromotionGate.decide(f1(0.5), null, 0.02).blessed()).isTrue();
        assertThat(PromotionGate.decide(f1(0.83), f1(0.80), 0.02).blessed()).isTrue();
        assertThat(PromotionGate.decide(f1(0.81), f1(0.80), 0.02).blessed()).isFalse();
        assertThat(PromotionGate.decide(f1(0.80), f1(0.80), 0.0).blessed()).isTrue();
        assertThat(PromotionGate.decide(f1(0.79), f1(0.80), 0.0).blessed()).isFalse();
        assertThat(PromotionGate.decide(Metrics.newBuilder().setExamples(0).build(), null, 0).blessed()).isFalse();
        assertThat(PromotionGate.decide(f1(0.81), f1(0.80), 0.02).reason()).contains("keep champion");
    }
}
