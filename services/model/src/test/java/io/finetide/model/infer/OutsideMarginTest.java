package io.finetide.model.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class OutsideMarginTest {

    static final List<String> TAGS = List.of("O", "B-x", "I-x");
    /** An entity word "O" beats by a factor of 2, and an outside word "O" wins by 18. */
    static final float[][] WORDS = {{0.6f, 0.3f, 0.1f}, {0.9f, 0.05f, 0.05f}};

    @Test
    void noMarginIsThePlainArgmax() {
        float[][] tie = {{0.4f, 0.4f, 0.2f}, null, {0.1f, 0.2f, 0.7f}};
        assertThat(OutsideMargin.NONE.tags(tie, TAGS)).isEqualTo(Predictor.argMaxTags(tie, TAGS)).containsExactly(
                "O", "O", "I-x");
        assertThat(OutsideMargin.NONE.tags(WORDS, TAGS)).containsExactly("O", "O");
    }

    @Test
    void aWordIsTaggedWhenOIsNotMoreLikelyThanEToTheMarginTimesItsBestEntityTag() {
        // e^0.5 * 0.3 = 0.49 <= 0.6: still O; e^0.75 * 0.3 = 0.64 > 0.6: B-x.
        assertThat(new OutsideMargin(0.5).tags(WORDS, TAGS)).containsExactly("O", "O");
        assertThat(new OutsideMargin(0.75).tags(WORDS, TAGS)).containsExactly("B-x", "O");
        // e^3 * 0.05 = 1.004 > 0.9: the outside word too.
        assertThat(new OutsideMargin(3).tags(WORDS, TAGS)).containsExactly("B-x", "B-x");
    }

    @Test
    void theFittedMarginIsTheSmallestWithTheBestEntityF1() {
        assertThat(OutsideMargin.fit(List.<float[][]>of(WORDS), List.of(List.of("B-x", "O")), TAGS).margin())
                .isEqualTo(0.75);
        // Nothing to find: no margin.
        assertThat(OutsideMargin.fit(List.<float[][]>of(WORDS), List.of(List.of("O", "O")), TAGS)).isEqualTo(
                OutsideMargin.NONE);
    }

    @Test
    void aMarginIsFiniteAndNotNegative() {
        assertThatThrownBy(() -> new OutsideMargin(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OutsideMargin(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
