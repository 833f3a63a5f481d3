package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.finetide.model.encoder.EncoderConfig;
import io.finetide.model.encoder.Weights;
import io.finetide.model.text.TextEncoder;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;

/** Each strategy trains exactly its parameters; frozen ones stay bit-identical. */
class StrategyTest {

    @Test
    void frozenParametersStayBitIdenticalAndTrainedOnesMove() {
        try (TextEncoder encoder = TextEncoder.builtin("minilm-l6", 16)) {
            EncoderConfig config = new EncoderConfig(encoder.vocabSize(), 16, 2, 16, 3, 2, 32, 2, "mean", 0.1, 1e-12);
            Weights initial = Weights.initialise(config, 5);
            List<LabelledText> data = EncoderTrainingTest.data(64, 3);
            TrainingConfig tc = new TrainingConfig(1e-2, 16, 1, 0.01, 0.0, 1.0, 5, 0.1, 0, 0, 1);
            for (Strategy strategy : List.of(Strategy.headOnly(), Strategy.topLayers(1), Strategy.full())) {
                Set<String> trainable = strategy.trainable(config);
                Weights after = Trainer.train(config, initial, encoder, data, data, tc, strategy,
                        TrainingListener.NONE).weights();
                for (String name : initial.tensors().keySet()) {
                    float[] before = initial.get(name).values();
                    float[] now = after.get(name).values();
                    if (trainable.contains(name)) {
                        if (name.endsWith(".weight") && !name.contains("LayerNorm")) {
                            assertThat(now).as(strategy.name() + " trains " + name).isNotEqualTo(before);
                        }
                    } else {
                        assertThat(now).as(strategy.name() + " freezes " + name).isEqualTo(before);
                    }
                }
            }
            assertThat(Strategy.headOnly().trainable(config)).containsExactly("classifier.weight", "classifier.bias");
            assertThat(Strategy.topLayers(1).trainable(config)).allMatch(n -> n.startsWith("encoder.layer.2.")
                    || n.startsWith("classifier")).hasSize(16 + 2);
            assertThat(Strategy.full().trainable(config)).hasSize(initial.tensors().size());
        }
    }
}
