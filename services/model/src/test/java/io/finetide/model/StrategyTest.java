package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.finetide.model.adapters.Lora;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/** Each strategy trains exactly its parameters; frozen ones stay bit-identical. */
class StrategyTest {

    @Test
    void frozenParametersStayBitIdenticalAndTrainedOnesMove() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16)) {
            TransformerConfig config = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize())
                    .maxPositions(16).typeVocabSize(2).hiddenSize(16).layers(3).heads(2).intermediateSize(32).labels(2)
                    .pooling(Pooling.MEAN).dropout(0.1).layerNormEps(1e-12).build();
            Weights initial = Weights.initialise(config, 5);
            List<LabelledText> data = EncoderTrainingTest.data(64, 3);
            TrainingConfig tc = TrainingConfig.builder().learningRate(1e-2).batchSize(16).epochs(1).weightDecay(0.01)
                    .warmupRatio(0.0).maxGradNorm(1.0).seed(5).dropout(0.1).patience(0).labelSmoothing(0).threads(1)
                    .build();
            TrainingConfig twoEpochs = TrainingConfig.builder().learningRate(1e-2).batchSize(16).epochs(2)
                    .weightDecay(0.01).warmupRatio(0.0).maxGradNorm(1.0).seed(5).dropout(0.1).patience(0)
                    .labelSmoothing(0).threads(1).build();
            for (Strategy strategy : List.of(Strategy.headOnly(), Strategy.topLayers(1), Strategy.full(), Strategy
                    .lora(Lora.of(2, 4)))) {
                Set<String> trainable = strategy.kind() == Strategy.Kind.LORA
                        ? Set.of("classifier.weight", "classifier.bias", "encoder.layer.0.attention.self.query.weight",
                                "encoder.layer.1.attention.self.query.weight",
                                "encoder.layer.2.attention.self.query.weight",
                                "encoder.layer.0.attention.self.value.weight",
                                "encoder.layer.1.attention.self.value.weight",
                                "encoder.layer.2.attention.self.value.weight")
                        : strategy.trainable(config);
                Weights after = Trainer.train(config, initial, tokenizer, data, data, tc, strategy,
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
            // Gradual unfreezing over 2 epochs (the head, then the head and the top layer): the rest is untouched.
            // (Which of the two epochs' weights come back depends on validation; OptimizerTest checks the stages.)
            Weights gradual = Trainer.train(config, initial, tokenizer, data, data, twoEpochs, Strategy.gradual(),
                    TrainingListener.NONE).weights();
            assertThat(gradual.get("classifier.weight").values()).isNotEqualTo(initial.get("classifier.weight")
                    .values());
            for (String name : initial.tensors().keySet()) {
                if (!name.startsWith("classifier") && !name.startsWith("encoder.layer.2.")) {
                    assertThat(gradual.get(name).values()).as("gradual freezes " + name).isEqualTo(initial.get(name)
                            .values());
                }
            }
            assertThat(Strategy.gradual().activeIn(1, config)).containsExactly("classifier.weight", "classifier.bias");
            assertThat(Strategy.gradual().activeIn(4, config)).hasSize(3 * 16 + 2);
            assertThat(Strategy.gradual().activeIn(5, config)).isNull();
            assertThat(Strategy.lora(Lora.of(2, 4)).trainable(config)).hasSize(3 * 2 * 2 + 2).contains(
                    "encoder.layer.1.attention.self.value.lora_B");
            assertThat(Strategy.parse("lora-8")).isEqualTo(Strategy.lora(Lora.of(8, 16)));
            assertThat(Strategy.parse("top-2")).isEqualTo(Strategy.topLayers(2));
            assertThatThrownBy(() -> Strategy.parse("top-x")).hasMessageContaining("unknown strategy 'top-x'");
            assertThat(Strategy.headOnly().trainable(config)).containsExactly("classifier.weight", "classifier.bias");
            assertThat(Strategy.topLayers(1).trainable(config)).allMatch(n -> n.startsWith("encoder.layer.2.")
                    || n.startsWith("classifier")).hasSize(16 + 2);
            assertThat(Strategy.full().trainable(config)).hasSize(initial.tensors().size());
        }
    }
}
