package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.finetide.model.metrics.ClassificationReport;

class ClassificationReportTest {

    /**
     * Hand-computed: truth a a a b b c, predicted a a b b c c.
     * a: P=2/2 R=2/3 F1=0.8; b: P=1/2 R=1/2 F1=0.5; c: P=1/2 R=1/1 F1=2/3. Accuracy 4/6.
     */
    @Test
    void matchesHandComputedValues() {
        ClassificationReport r = ClassificationReport.of(new int[]{0, 0, 0, 1, 1, 2}, new int[]{0, 0, 1, 1, 2, 2},
                List.of("a", "b", "c"));
        assertThat(r.accuracy()).isCloseTo(4 / 6.0, within(1e-12));
        assertThat(r.microF1()).isCloseTo(4 / 6.0, within(1e-12));
        assertThat(r.perClass().get(0).precision()).isCloseTo(1.0, within(1e-12));
        assertThat(r.perClass().get(0).recall()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(r.perClass().get(0).f1()).isCloseTo(0.8, within(1e-12));
        assertThat(r.perClass().get(1).f1()).isCloseTo(0.5, within(1e-12));
        assertThat(r.perClass().get(2).f1()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(r.macroPrecision()).isCloseTo((1 + 0.5 + 0.5) / 3, within(1e-12));
        assertThat(r.macroRecall()).isCloseTo((2 / 3.0 + 0.5 + 1) / 3, within(1e-12));
        assertThat(r.macroF1()).isCloseTo((0.8 + 0.5 + 2 / 3.0) / 3, within(1e-12));
        assertThat(r.confusion()).isDeepEqualTo(new long[][]{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}});
        assertThat(r.perClass()).extracting(ClassificationReport.PerClass::support).containsExactly(3L, 2L, 1L);
    }

    @Test
    void aClassNeverPredictedScoresZeroNotNaN() {
        ClassificationReport r = ClassificationReport.of(new int[]{0, 1}, new int[]{0, 0}, List.of("x", "y"));
        assertThat(r.perClass().get(1).precision()).isZero();
        assertThat(r.perClass().get(1).f1()).isZero();
        assertThat(r.macroF1()).isCloseTo((2 / 3.0 + 0) / 2, within(1e-12));
    }
}
