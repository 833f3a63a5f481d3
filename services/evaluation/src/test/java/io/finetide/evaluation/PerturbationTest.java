package io.finetide.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.evaluation.robustness.FlipRates;
import io.finetide.evaluation.robustness.Perturbation;
import io.finetide.evaluation.robustness.Perturbed;

class PerturbationTest {

    static Perturbed apply(Perturbation p, List<String> words, List<String> tags) {
        return p.perturb(words, tags, 7, 0, Perturbation.EntityPool.NONE).orElseThrow();
    }

    @Test
    void aTypoSwapsTwoInnerLettersOfALongEnoughWord() {
        // "word" is the only word of four letters; its one inner pair is "or".
        assertThat(apply(Perturbation.TYPO, List.of("a", "word", "!"), List.of()).words()).containsExactly("a", "wrod",
                "!");
        // "good" has no inner pair of different letters, "[EMAIL]" is not a word of letters.
        assertThat(Perturbation.TYPO.perturb(List.of("good", "[EMAIL]"), List.of(), 7, 0,
                Perturbation.EntityPool.NONE)).isEmpty();
        Perturbed movie = apply(Perturbation.TYPO, List.of("the", "movie"), List.of());
        assertThat(movie.words().get(1)).isIn("mvoie", "moive");
        assertThat(apply(Perturbation.TYPO, List.of("the", "movie"), List.of())).usingRecursiveComparison()
                .isEqualTo(movie);
    }

    @Test
    void casingLowersCapitalsOrCapitalisesWords() {
        assertThat(apply(Perturbation.CASING, List.of("The", "Movie"), List.of()).text()).isEqualTo("the movie");
        assertThat(apply(Perturbation.CASING, List.of("the", "movie"), List.of()).text()).isEqualTo("The Movie");
    }

    @Test
    void punctuationIsDroppedOrAddedAndTheWordsSpacedTwice() {
        Perturbed dropped = apply(Perturbation.PUNCTUATION, List.of("good", ",", "fun", "!"), List.of("O", "O",
                "B-x", "O"));
        assertThat(dropped.words()).containsExactly("good", "fun");
        assertThat(dropped.tags()).containsExactly("O", "B-x");
        assertThat(dropped.origin()).containsExactly(0, 2);
        assertThat(dropped.text()).isEqualTo("good  fun");
        Perturbed added = apply(Perturbation.PUNCTUATION, List.of("good"), List.of());
        assertThat(added.words()).containsExactly("good", ".");
        assertThat(added.origin()).containsExactly(0, -1);
    }

    @Test
    void placeholdersAreSwappedForAnotherType() {
        Perturbed p = apply(Perturbation.PLACEHOLDER, List.of("mail", "[EMAIL].", "now"), List.of());
        assertThat(p.words().get(1)).matches("\\[(IBAN|CARD|IP|PHONE)\\]\\.");
        assertThat(Perturbation.PLACEHOLDER.perturb(List.of("no", "pii"), List.of(), 7, 0,
                Perturbation.EntityPool.NONE)).isEmpty();
    }

    @Test
    void numbersChangeToOthersOfAsManyDigits() {
        Perturbed p = apply(Perturbation.NUMBER, List.of("call", "12", "times,", "room", "7b"), List.of());
        assertThat(p.words().get(1)).matches("[1-9]\\d").isNotEqualTo("12");
        assertThat(p.words().get(4)).matches("\\db").isNotEqualTo("7b");
        assertThat(Perturbation.NUMBER.perturb(List.of("no", "digits"), List.of(), 7, 0,
                Perturbation.EntityPool.NONE)).isEmpty();
    }

    @Test
    void anEntityIsSwappedForAnotherOfTheSameTypeAndLength() {
        Perturbation.EntityPool pool = Perturbation.EntityPool.of(List.of(List.of("Paris"), List.of("Lyon"), List.of(
                "New", "York"), List.of("Anna")), List.of(List.of("B-LOC"), List.of("B-LOC"),
                        List.of("B-LOC",
                                "I-LOC"),
                        List.of("B-PER")));
        assertThat(pool.byType()).isEqualTo(Map.of("LOC", List.of(List.of("Paris"), List.of("Lyon"), List.of("New",
                "York")), "PER", List.of(List.of("Anna"))));
        Perturbed p = Perturbation.ENTITY.perturb(List.of("visit", "Paris", "now"), List.of("O", "B-LOC", "O"), 7, 0,
                pool).orElseThrow();
        assertThat(p.words()).containsExactly("visit", "Lyon", "now");
        assertThat(p.tags()).containsExactly("O", "B-LOC", "O");
        // Anna is the only person: no other to swap in.
        assertThat(Perturbation.ENTITY.perturb(List.of("Anna", "came"), List.of("B-PER", "O"), 7, 0, pool))
                .isEmpty();
        assertThat(Perturbation.forTask(false)).doesNotContain(Perturbation.ENTITY);
    }

    @Test
    void aTaggerFlipsWhenAKeptWordChangesItsTag() {
        Perturbed dropped = new Perturbed(List.of("good", "fun"), List.of(), new int[]{0, 2}, " ");
        assertThat(FlipRates.flipped(List.of("O", "O", "B-x"), List.of("O", "B-x"), dropped, true)).isFalse();
        assertThat(FlipRates.flipped(List.of("O", "O", "B-x"), List.of("O", "O"), dropped, true)).isTrue();
        assertThat(FlipRates.flipped(List.of("good"), List.of("bad"), dropped, false)).isTrue();
    }
}
