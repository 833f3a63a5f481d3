package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.finetide.model.encoder.EncoderConfig;
import io.finetide.model.encoder.Weights;
import io.finetide.model.text.TextEncoder;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;

/** The best epoch (and early stopping) follows the run's chosen validation figure. */
class SelectionTest {

    @Test
    void theChosenFigurePicksTheBestEpoch() {
        try (TextEncoder encoder = TextEncoder.builtin("minilm-l6", 16)) {
            EncoderConfig config = new EncoderConfig(encoder.vocabSize(), 16, 2, 16, 1, 2, 32, 2, "mean", 0.1, 1e-12);
            List<LabelledText> train = EncoderTrainingTest.data(128, 1);
            // A small, noisy validation set: accuracy, macro-F1 and loss need not agree on the best epoch.
            List<LabelledText> validation = EncoderTrainingTest.data(30, 9);
            for (TrainingConfig.Selection selection : TrainingConfig.Selection.values()) {
                TrainingConfig tc = new TrainingConfig(3e-3, 16, 5, 0.01, 0.1, 1.0, 42, 0.1, 0, 0, 1).withSelection(
                        selection);
                Trainer.Result r = Trainer.train(config, Weights.initialise(config, 3), encoder, train, validation,
                        tc, TrainingListener.NONE);
                List<TrainingListener.Epoch> h = r.history();
                for (TrainingListener.Epoch e : h) {
                    switch (selection) {
                        case ACCURACY -> assertThat(e.validationMetric()).isEqualTo(e.validationAccuracy());
                        case LOSS -> assertThat(e.validationMetric()).isEqualTo(-e.validationLoss());
                        case MACRO_F1 -> assertThat(e.validationMetric()).isBetween(0.0, 1.0);
                    }
                }
                // The first epoch of the highest figure (a tie keeps the earlier epoch).
                TrainingListener.Epoch expected = h.stream().max(Comparator.comparingDouble(
                        TrainingListener.Epoch::validationMetric).thenComparing(
                                Comparator.comparingInt(
                                        TrainingListener.Epoch::epoch).reversed()))
                        .orElseThrow();
                assertThat(r.bestEpoch()).as(selection.name()).isEqualTo(expected.epoch());
                if (selection == TrainingConfig.Selection.LOSS) {
                    double lowest = h.stream().mapToDouble(TrainingListener.Epoch::validationLoss).min().orElseThrow();
                    assertThat(r.best().validationLoss()).isCloseTo(lowest, within(0.0));
                }
            }
        }
    }
}
