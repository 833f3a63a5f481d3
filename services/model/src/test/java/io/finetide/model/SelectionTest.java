package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.metrics.ClassificationReport;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.train.ValidationFigures;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/** The best epoch (and early stopping) follows the run's chosen validation figure. */
class SelectionTest {

    @Test
    void theChosenFigurePicksTheBestEpoch() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16)) {
            TransformerConfig config = tiny(tokenizer);
            List<LabelledText> train = EncoderTrainingTest.data(128, 1);
            // A small, noisy validation set: accuracy, macro-F1 and loss need not agree on the best epoch.
            List<LabelledText> validation = EncoderTrainingTest.data(30, 9);
            for (TrainingConfig.Selection selection : TrainingConfig.Selection.values()) {
                TrainingConfig tc = TrainingConfig.builder().learningRate(3e-3).batchSize(16).epochs(5)
                        .weightDecay(0.01).warmupRatio(0.1).maxGradNorm(1.0).seed(42).dropout(0.1).patience(0)
                        .labelSmoothing(0).threads(1).build().withSelection(
                                selection);
                Trainer.Result r = Trainer.train(config, Weights.initialise(config, 3), tokenizer, train, validation,
                        tc, TrainingListener.NONE);
                List<TrainingListener.Epoch> h = r.history();
                for (TrainingListener.Epoch e : h) {
                    switch (selection) {
                        case ACCURACY, LAST_EPOCH -> assertThat(e.validationMetric()).isEqualTo(e.validationScore());
                        case LOSS -> assertThat(e.validationMetric()).isEqualTo(-e.validationLoss());
                        case MACRO_F1 -> assertThat(e.validationMetric()).isBetween(0.0, 1.0);
                    }
                }
                if (selection == TrainingConfig.Selection.LAST_EPOCH) {
                    assertThat(r.bestEpoch()).isEqualTo(5);
                    assertThat(h).allMatch(TrainingListener.Epoch::best);
                    continue;
                }
                // The first epoch of the highest figure (a tie keeps the earlier epoch).
                TrainingListener.Epoch expected = h.stream().max(Comparator.comparingDouble(
                        TrainingListener.Epoch::validationMetric).thenComparing(
                                Comparator.comparingInt(
                                        TrainingListener.Epoch::epoch).reversed()))
                        .orElseThrow();
                assertThat(r.bestEpoch()).as(selection.name()).isEqualTo(expected.epoch());
                if (selection == TrainingConfig.Selection.MACRO_F1) {
                    // The figure is the macro-F1 of the best epoch's own predictions, not its accuracy.
                    assertThat(r.best().validationMetric()).isCloseTo(report(config, r.weights(), tokenizer,
                            validation).macroF1(), within(1e-12));
                }
                if (selection == TrainingConfig.Selection.LOSS) {
                    double lowest = h.stream().mapToDouble(TrainingListener.Epoch::validationLoss).min().orElseThrow();
                    assertThat(r.best().validationLoss()).isCloseTo(lowest, within(0.0));
                }
            }
        }
    }

    private static TransformerConfig tiny(Tokenizer tokenizer) {
        return TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(16).typeVocabSize(2)
                .hiddenSize(16).layers(1).heads(2).intermediateSize(32).labels(2).pooling(Pooling.MEAN).dropout(0.1)
                .layerNormEps(1e-12).build();
    }

    /** The model's report on the validation texts, from its own predictions. */
    private static ClassificationReport report(TransformerConfig config, Weights weights, Tokenizer tokenizer,
            List<LabelledText> validation) {
        try (TransformerGraph g = TransformerGraph.create(config, weights, GraphOptions.inference(1))) {
            float[][] p = Predictor.probabilities(g, tokenizer.encodeAll(validation.stream().map(LabelledText::text)
                    .toList()), tokenizer.padId(), 16);
            int[] predicted = Arrays.stream(p).mapToInt(Predictor::argMax).toArray();
            int[] truth = validation.stream().mapToInt(LabelledText::label).toArray();
            return ClassificationReport.of(truth, predicted, List.of("0", "1"));
        }
    }

    @Test
    void theLastEpochIsKeptWhateverItsFigureAndNothingStopsEarly() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16)) {
            TransformerConfig config = tiny(tokenizer);
            List<LabelledText> train = EncoderTrainingTest.data(64, 1);
            List<LabelledText> validation = EncoderTrainingTest.data(30, 9);
            // A rate so high that the validation figure falls: patience 1 would stop a chosen run early.
            TrainingConfig tc = TrainingConfig.builder().learningRate(0.5).batchSize(16).epochs(4).weightDecay(0.01)
                    .warmupRatio(0).maxGradNorm(1.0).seed(42).dropout(0.1).patience(1).labelSmoothing(0).threads(1)
                    .build().withSelection(TrainingConfig.Selection.LAST_EPOCH);
            Trainer.Result r = Trainer.train(config, Weights.initialise(config, 3), tokenizer, train, validation, tc,
                    TrainingListener.NONE);
            assertThat(r.history()).hasSize(4);
            assertThat(r.bestEpoch()).isEqualTo(4);
            // The weights are the last epoch's: they score on validation what the last epoch reported.
            assertThat(report(config, r.weights(), tokenizer, validation).accuracy()).isCloseTo(r.history().get(3)
                    .validationScore(), within(1e-9));
        }
    }

    @Test
    void eachSelectionReadsItsOwnFigure() {
        ValidationFigures sequence = new ValidationFigures(0.9, 0.3, OptionalDouble.of(0.6));
        assertThat(sequence.metric(TrainingConfig.Selection.ACCURACY)).isEqualTo(0.9);
        assertThat(sequence.metric(TrainingConfig.Selection.MACRO_F1)).isEqualTo(0.6);
        assertThat(sequence.metric(TrainingConfig.Selection.LOSS)).isEqualTo(-0.3);
        // Tags have no macro-F1: their score is already an F1 (entity F1), and MACRO_F1 judges by it.
        assertThat(ValidationFigures.of(0.7, 0.4).metric(TrainingConfig.Selection.MACRO_F1)).isEqualTo(0.7);
    }
}
