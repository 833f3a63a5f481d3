package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.finetide.model.optim.Optimizer;
import io.finetide.model.privacy.DpSgd;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A run killed in the middle of an epoch and resumed from its last checkpoint ends bit for bit where the uninterrupted
 * run ends: same weights, same loss curve. Dropout is on, so this also holds the stateless masks to their promise.
 * The third case is an encoder-decoder fine-tuned decoder-only on a translation; the fourth trains with DP-SGD.
 */
class CheckpointTest {

    @ParameterizedTest
    @ValueSource(strings = {"gradual", "lora-2", "decoder-only", "private-full"})
    void aKilledRunResumesExactly(String strategyName, @TempDir Path dir) {
        // "private-full": DP-SGD, whose Poisson batches and noise must come back the same from the seed.
        boolean dp = strategyName.startsWith("private-");
        Strategy strategy = Strategy.parse(dp ? strategyName.substring("private-".length()) : strategyName);
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16)) {
            boolean seq2seq = strategy.kind() == Strategy.Kind.DECODER_ONLY;
            TransformerConfig config = seq2seq
                    ? TransformerConfig.encoderDecoderBuilder().vocabSize(EncoderDecoderTest.VOCAB).maxPositions(16)
                            .hiddenSize(16).layers(2).heads(2).intermediateSize(32).dropout(0.1).relativeBuckets(8)
                            .relativeMaxDistance(16).layerNormEps(1e-6).build()
                    : TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(16)
                            .typeVocabSize(2).hiddenSize(16).layers(2).heads(2).intermediateSize(32).labels(2)
                            .pooling(Pooling.MEAN).dropout(0.1).layerNormEps(1e-12).build();
            Weights initial = Weights.initialise(config, 5);
            List<LabelledText> train = EncoderTrainingTest.data(48, 3);
            List<LabelledText> validation = EncoderTrainingTest.data(24, 4);
            List<int[][]> pairs = EncoderDecoderTest.translations(48, 3);
            List<int[][]> validationPairs = EncoderDecoderTest.translations(24, 4);
            TrainingConfig tc = dp
                    ? config(strategy).toBuilder().privacy(new DpSgd(1.0, 1.0, 77)).build()
                    : config(
                            strategy);
            Run run = (c, s, store) -> seq2seq
                    ? Trainer.trainSeq2Seq(config, initial, EncoderDecoderTest.column(pairs, 0), EncoderDecoderTest
                            .column(pairs, 1), EncoderDecoderTest.column(validationPairs, 0),
                            EncoderDecoderTest
                                    .column(validationPairs, 1),
                            0, 0, c, s, TrainingListener.NONE, store)
                    : Trainer.train(config, initial, tokenizer, train, validation, c, s, TrainingListener.NONE, store);

            Trainer.Result whole = run.train(tc, strategy, Checkpoint.Store.NONE);

            Checkpoint.Store store = Checkpoint.directory(dir, 2);
            Checkpoint.Store dying = new Checkpoint.Store() {
                @Override
                public int everySteps() {
                    return store.everySteps();
                }

                @Override
                public void save(Checkpoint c) {
                    store.save(c);
                    // Killed right after the first checkpoint in the middle of the second epoch.
                    if (c.epoch() == 2 && c.batchesDone() > 0) {
                        throw new IllegalStateException("killed");
                    }
                }

                @Override
                public Optional<Checkpoint> latest() {
                    return store.latest();
                }
            };
            assertThatThrownBy(() -> run.train(tc, strategy, dying)).hasMessage("killed");
            Checkpoint last = store.latest().orElseThrow();
            assertThat(last.epoch()).isEqualTo(2);
            assertThat(last.batchesDone()).isBetween(1, 5);

            Trainer.Result resumed = run.train(tc, strategy, store);

            assertThat(resumed.steps()).isEqualTo(whole.steps());
            assertThat(resumed.bestEpoch()).isEqualTo(whole.bestEpoch());
            for (int e = 0; e < whole.history().size(); e++) {
                TrainingListener.Epoch a = whole.history().get(e);
                TrainingListener.Epoch b = resumed.history().get(e);
                assertThat(b.trainLoss()).as("train loss, epoch " + a.epoch()).isEqualTo(a.trainLoss());
                assertThat(b.validationScore()).isEqualTo(a.validationScore());
                assertThat(b.validationLoss()).isEqualTo(a.validationLoss());
            }
            for (String name : whole.weights().tensors().keySet()) {
                assertThat(resumed.weights().get(name).values()).as(name).isEqualTo(whole.weights().get(name)
                        .values());
            }

            // Another run's checkpoint is refused, not silently continued.
            TrainingConfig other = TrainingConfig.builder().learningRate(2e-2).batchSize(8).epochs(3).weightDecay(0.01)
                    .warmupRatio(0.1).maxGradNorm(1.0).seed(5).dropout(0.1).patience(0).labelSmoothing(0).threads(1)
                    .build();
            assertThatThrownBy(() -> run.train(other, strategy, store)).hasMessageContaining("belongs to another run");
            if (strategy.kind() == Strategy.Kind.LORA) {
                // The same rank with another alpha is another run as well.
                Strategy otherAlpha = Strategy.lora(new io.finetide.model.adapters.Lora(2, 8, strategy.lora()
                        .targets()));
                assertThatThrownBy(() -> run.train(tc, otherAlpha, store))
                        .hasMessageContaining("belongs to another run");
            }
        }
    }

    private interface Run {
        Trainer.Result train(TrainingConfig tc, Strategy strategy, Checkpoint.Store store);
    }

    /**
     * 6 micro-batches of 8 per epoch, 2 per AdamW update for gradual, 1 per SGD-with-momentum update for LoRA, 1 per
     * AdamW update for decoder-only.
     */
    private static TrainingConfig config(Strategy strategy) {
        TrainingConfig tc = TrainingConfig.builder().learningRate(1e-2).batchSize(8).epochs(3).weightDecay(0.01)
                .warmupRatio(0.1).maxGradNorm(1.0).seed(5).dropout(0.1).patience(0).labelSmoothing(0).threads(1)
                .build();
        return switch (strategy.kind()) {
            case GRADUAL -> tc.withAccumulation(2);
            case LORA -> tc.withOptimizer(Optimizer.SGD, 0.9);
            default -> tc;
        };
    }
}
