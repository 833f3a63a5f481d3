package io.finetide.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WordWindowsTest {

    /** [CLS], eight words in ten pieces (the first and third in two and three), [SEP]. */
    static final Tokenizer.Words TEN_PIECES = new Tokenizer.Words(new int[]{101, 11, 12, 13, 14, 15, 16, 17, 18,
            19, 20, 102}, new int[]{-1, 0, 0, 1, 2, 2, 3, 4, 5, 6, 7, -1}, 8);

    @Test
    void aTextThatFitsIsOneWindowItself() {
        WordWindows w = WordWindows.of(TEN_PIECES, 12);
        assertThat(w.windows()).containsExactly(TEN_PIECES);
        assertThat(w.owner()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void aLongerTextIsReadInHalfOverlappingWindowsEachWordWhereItIsFurthestFromAnEdge() {
        // 6 positions: 4 pieces between [CLS] and [SEP], the next window 2 pieces on.
        WordWindows w = WordWindows.of(TEN_PIECES, 6);
        assertThat(w.windows()).extracting(Tokenizer.Words::ids).containsExactly(new int[]{101, 11, 12, 13, 14, 102},
                new int[]{101, 13, 14, 15, 16, 102}, new int[]{101, 15, 16, 17, 18, 102}, new int[]{101, 17, 18, 19,
                        20, 102});
        assertThat(w.windows().get(1).wordIds()).containsExactly(-1, 1, 2, 2, 3, -1);
        assertThat(w.windows()).allSatisfy(x -> assertThat(x.count()).isEqualTo(8));
        // Word 1 (position 3) is 1 from window 0's edge and 0 from window 1's; word 2 (position 4) 0 and 1.
        assertThat(w.owner()).containsExactly(0, 0, 1, 2, 2, 3, 3, 3);
    }

    @Test
    void aWordWithoutPiecesIsNobodys() {
        Tokenizer.Words gap = new Tokenizer.Words(new int[]{101, 11, 13, 102}, new int[]{-1, 0, 2, -1}, 3);
        assertThat(WordWindows.of(gap, 8).owner()).containsExactly(0, -1, 0);
    }

    @Test
    void aWindowTooShortForTwoPiecesIsRefused() {
        assertThatThrownBy(() -> WordWindows.of(TEN_PIECES, 3)).hasMessageContaining("fewer than 2");
    }
}
