package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.finetide.model.metrics.EntityF1;

/** seqeval's definitions, checked on its documented example and on the chunking rules one by one. */
class EntityF1Test {

    @Test
    void seqevalsReadmeExample() {
        // From seqeval's README: f1_score(y_true, y_pred) == 0.50.
        List<List<String>> truth = List.of(List.of("O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"), List.of(
                "B-PER", "I-PER", "O"));
        List<List<String>> predicted = List.of(List.of("O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"), List
                .of("B-PER", "I-PER", "O"));
        EntityF1 f = EntityF1.of(truth, predicted);
        assertThat(f.f1()).isCloseTo(0.5, within(1e-12));
        assertThat(f.precision()).isCloseTo(0.5, within(1e-12));
        assertThat(f.perType().get("PER").f1()).isEqualTo(1.0);
        assertThat(f.perType().get("MISC").f1()).isZero();
        assertThat(f.perType().get("MISC").support()).isEqualTo(1);
    }

    @Test
    void invalidSequencesScoreAsSeqevalScoresThem() {
        // seqeval 1.2.2 gives precision = recall = F1 = 4/9 on these (computed with its f1_score and friends);
        // they hold I- without B-, B- after B-, I- of another type and stray tags.
        List<List<String>> truth = List.of(List.of("B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC"), List.of(
                "I-PER", "I-PER", "B-PER", "O", "I-LOC"),
                List.of("O", "B-creative-work", "I-creative-work", "I-PER",
                        "O"),
                List.of("B-LOC", "B-LOC", "I-LOC", "O"), List.of("O", "O", "O"));
        List<List<String>> predicted = List.of(List.of("B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O"), List.of(
                "B-PER", "I-PER", "I-PER", "O", "B-LOC"),
                List.of("O", "I-creative-work", "I-creative-work", "B-PER",
                        "O"),
                List.of("B-LOC", "I-LOC", "I-LOC", "O"), List.of("B-PER", "O", "I-LOC"));
        EntityF1 f = EntityF1.of(truth, predicted);
        assertThat(f.f1()).isCloseTo(4.0 / 9, within(1e-12));
        assertThat(f.precision()).isCloseTo(4.0 / 9, within(1e-12));
        assertThat(f.recall()).isCloseTo(4.0 / 9, within(1e-12));
    }

    @Test
    void chunkingFollowsConlleval() {
        // An I- after O or after another type opens an entity; B- always opens one; I- of the same type continues.
        assertThat(EntityF1.chunks(List.of("I-PER", "I-PER", "B-PER", "I-LOC", "O", "B-ORG", "I-ORG")))
                .containsExactly(new EntityF1.Chunk("PER", 0, 2), new EntityF1.Chunk("PER", 2, 3),
                        new EntityF1.Chunk("LOC", 3, 4), new EntityF1.Chunk("ORG", 5, 7));
        assertThat(EntityF1.chunks(List.of("O", "O"))).isEmpty();
        assertThat(EntityF1.chunks(List.of("B-creative-work", "I-creative-work"))).containsExactly(
                new EntityF1.Chunk("creative-work", 0, 2));
        // Nothing predicted and nothing true: no entities, all zeros (seqeval's zero_division default aside).
        EntityF1 none = EntityF1.of(List.of(List.of("O")), List.of(List.of("O")));
        assertThat(none.f1()).isZero();
        assertThat(none.trueEntities()).isZero();
    }
}
