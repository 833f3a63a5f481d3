package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.model.metrics.AnswerMatch;
import io.finetide.model.metrics.ChrF;
import io.finetide.model.metrics.RougeL;

/**
 * ROUGE-L and chrF against rouge-score 0.1.2 and sacreBLEU 2.6.0 on fixed cases (punctuation, case, accents, CJK,
 * emoji, no-break spaces, empty sides; {@code benchmarks/python/generation_metrics_reference.py} wrote them), and
 * exact match and token F1 on known values.
 */
class GenerationMetricsTest {

    private static JsonNode reference() throws Exception {
        Path file = Path.of(GenerationMetricsTest.class.getResource("/reference/generation-metrics.json").toURI());
        return new ObjectMapper().readTree(file.toFile());
    }

    @Test
    void rougeLIsRougeScores() throws Exception {
        int cases = 0;
        for (JsonNode c : reference().get("cases")) {
            RougeL.Score ours = RougeL.score(c.get("target").asText(), c.get("prediction").asText());
            JsonNode theirs = c.get("rougeL");
            String what = c.get("target").asText() + " / " + c.get("prediction").asText();
            assertThat(ours.precision()).as(what).isCloseTo(theirs.get("precision").asDouble(), within(1e-12));
            assertThat(ours.recall()).as(what).isCloseTo(theirs.get("recall").asDouble(), within(1e-12));
            assertThat(ours.f()).as(what).isCloseTo(theirs.get("f").asDouble(), within(1e-12));
            cases++;
        }
        assertThat(cases).isEqualTo(18);
    }

    @Test
    void chrFIsSacreBleusForSentencesAndTheCorpus() throws Exception {
        JsonNode reference = reference();
        List<String> targets = new ArrayList<>();
        List<String> predictions = new ArrayList<>();
        for (JsonNode c : reference.get("cases")) {
            String target = c.get("target").asText();
            String prediction = c.get("prediction").asText();
            assertThat(ChrF.sentence(prediction, target)).as(target + " / " + prediction).isCloseTo(c.get("chrF")
                    .asDouble(), within(1e-9));
            targets.add(target);
            predictions.add(prediction);
        }
        assertThat(ChrF.corpus(predictions, targets)).isCloseTo(reference.get("chrFCorpus").asDouble(), within(
                1e-9));
    }

    @Test
    void exactMatchAndTokenF1NormaliseAsSquad() {
        assertThat(AnswerMatch.exact("The Eiffel Tower", "eiffel tower.")).isTrue();
        assertThat(AnswerMatch.exact("Eiffel Tower", "the tower")).isFalse();
        // Shared: "tower" once; precision 1/2, recall 1/2.
        assertThat(AnswerMatch.tokenF1("Eiffel Tower", "the tower block")).isCloseTo(0.5, within(1e-12));
        // Counts are clipped: "paris" twice in the prediction matches once. Precision 1/3, recall 1.
        assertThat(AnswerMatch.tokenF1("Paris", "paris, Paris and")).isCloseTo(0.5, within(1e-12));
        assertThat(AnswerMatch.tokenF1("", "")).isEqualTo(1);
        assertThat(AnswerMatch.tokenF1("an answer", "")).isZero();
        assertThat(AnswerMatch.tokenF1("a b c", "d e")).isZero();
    }
}
