package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.finetide.model.encoder.EncoderConfig;
import io.finetide.model.encoder.EncoderGraph;
import io.finetide.model.encoder.Weights;
import io.finetide.model.text.TextEncoder;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;

/**
 * A run killed in the middle of an epoch and resumed from its last checkpoint ends bit for bit where the uninterrupted
 * run ends: same weights, same loss curve. Dropout is on, so this also holds the stateless masks to their promise.
 */
class CheckpointTest {

    @ParameterizedTest
    @ValueSource(strings = {"gradual", "lora-2"})
    void aKilledRunResumesExactly(String strategyName, @TempDir Path dir) {
        Strategy strategy = Strategy.parse(strategyName);
        try (TextEncoder encoder = TextEncoder.builtin("minilm-l6", 16)) {
            EncoderConfig config = new EncoderConfig(encoder.vocabSize(), 16, 2, 16, 2, 2, 32, 2, "mean", 0.1, 1e-12);
            Weights initial = Weights.initialise(config, 5);
            List<LabelledText> train = EncoderTrainingTest.data(48, 3);
            List<LabelledText> validation = EncoderTrainingTest.data(24, 4);
            TrainingConfig tc = config(strategy);

            Trainer.Result whole = Trainer.train(config, initial, encoder, train, validation, tc, strategy,
                    TrainingListener.NONE);

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
            assertThatThrownBy(() -> Trainer.train(config, initial, encoder, train, validation, tc, strategy,
                    TrainingListener.NONE, dying)).hasMessage("killed");
            Checkpoint last = store.latest().orElseThrow();
            assertThat(last.epoch()).isEqualTo(2);
            assertThat(last.batchesDone()).isBetween(1, 5);

            Trainer.Result resumed = Trainer.train(config, initial, encoder, train, validation, tc, strategy,
                    TrainingListener.NONE, store);

            assertThat(resumed.steps()).isEqualTo(whole.steps());
            assertThat(resumed.bestEpoch()).isEqualTo(whole.bestEpoch());
            for (int e = 0; e < whole.history().size(); e++) {
                TrainingListener.Epoch a = whole.history().get(e);
                TrainingListener.Epoch b = resumed.history().get(e);
                assertThat(b.trainLoss()).as("train loss, epoch " + a.epoch()).isEqualTo(a.trainLoss());
                assertThat(b.validationAccuracy()).isEqualTo(a.validationAccuracy());
                assertThat(b.validationLoss()).isEqualTo(a.validationLoss());
            }
            for (String name : whole.weights().tensors().keySet()) {
                assertThat(resumed.weights().get(name).values()).as(name).isEqualTo(whole.weights().get(name)
                        .values());
            }

            // Another run's checkpoint is refused, not silently continued.
            TrainingConfig other = new TrainingConfig(2e-2, 8, 3, 0.01, 0.1, 1.0, 5, 0.1, 0, 0, 1);
            assertThatThrownBy(() -> Trainer.train(config, initial, encoder, train, validation, other, strategy,
                    TrainingListener.NONE, store)).hasMessageContaining("belongs to another run");
            if (strategy.kind() == Strategy.Kind.LORA) {
                // The same rank with another alpha is another run as well.
                Strategy otherAlpha = Strategy.lora(new io.finetide.model.encoder.Lora(2, 8, strategy.lora()
                        .targets()));
                assertThatThrownBy(() -> Trainer.train(config, initial, encoder, train, validation, tc, otherAlpha,
                        TrainingListener.NONE, store)).hasMessageContaining("belongs to another run");
            }
        }
    }

    /** 6 micro-batches of 8 per epoch, 2 per AdamW update for gradual, 1 per SGD-with-momentum update for LoRA. */
    private static TrainingConfig config(Strategy strategy) {
        TrainingConfig tc = new TrainingConfig(1e-2, 8, 3, 0.01, 0.1, 1.0, 5, 0.1, 0, 0, 1);
        return strategy.kind() == Strategy.Kind.GRADUAL
                ? tc.withAccumulation(2)
                : tc.withOptimizer(
                        EncoderGraph.Optimizer.SGD, 0.9);
    }
}
