package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.model.train.TrainingConfig;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

class WeightsAndScheduleTest {

    static final TransformerConfig CONFIG = TransformerConfig.encoderBuilder().vocabSize(100).maxPositions(16)
            .typeVocabSize(2).hiddenSize(8).layers(2).heads(2).intermediateSize(16).labels(3).pooling(Pooling.CLS)
            .dropout(0.1).layerNormEps(1e-12).build();

    @Test
    void initialisationIsSeededAndFollowsBert() throws Exception {
        Weights a = Weights.initialise(CONFIG, 1);
        Weights b = Weights.initialise(CONFIG, 1);
        Weights c = Weights.initialise(CONFIG, 2);
        assertThat(a.get(ParamSpec.WORD_EMBEDDINGS).values()).isEqualTo(b.get(ParamSpec.WORD_EMBEDDINGS).values());
        assertThat(a.get(ParamSpec.WORD_EMBEDDINGS).values()).isNotEqualTo(c.get(ParamSpec.WORD_EMBEDDINGS).values());
        assertThat(a.get(ParamSpec.EMBEDDINGS_LN + ".weight").values()).containsOnly(1f);
        assertThat(a.get("classifier.bias").values()).containsOnly(0f);
        for (float v : a.get(ParamSpec.WORD_EMBEDDINGS).values()) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo(0.04f);
        }
        long total = a.tensors().values().stream().mapToLong(t -> t.values().length).sum();
        assertThat(total).isEqualTo(CONFIG.parameterCount());

        Weights back = Weights.fromBytes(new ByteArrayInputStream(a.toBytes()));
        assertThat(back.tensors().keySet()).containsExactlyElementsOf(a.tensors().keySet());
        assertThat(back.get("classifier.weight").values()).isEqualTo(a.get("classifier.weight").values());
    }

    @Test
    void incompatibleWeightsNameTheTensor() {
        Map<String, Weights.Tensor> m = new LinkedHashMap<>(Weights.initialise(CONFIG, 1).tensors());
        m.put("classifier.weight", new Weights.Tensor(new int[]{8, 4}, new float[32]));
        assertThatThrownBy(() -> new Weights(m).requireCompatible(CONFIG)).hasMessageContaining("classifier.weight")
                .hasMessageContaining("[8, 4]");
        m.remove("encoder.layer.1.output.dense.bias");
        assertThatThrownBy(() -> new Weights(m).requireCompatible(CONFIG))
                .hasMessageContaining("encoder.layer.1.output.dense.bias");
    }

    @Test
    void learningRateWarmsUpLinearlyThenDecaysToZero() {
        TrainingConfig tc = TrainingConfig.builder().learningRate(1e-3).batchSize(32).epochs(1).weightDecay(0)
                .warmupRatio(0.1).maxGradNorm(1).seed(1).dropout(0).patience(0).labelSmoothing(0).threads(1).build();
        assertThat(tc.learningRateAt(0, 100)).isCloseTo(1e-4, within(1e-12));
        assertThat(tc.learningRateAt(9, 100)).isCloseTo(1e-3, within(1e-12));
        assertThat(tc.learningRateAt(10, 100)).isCloseTo(1e-3, within(1e-12));
        assertThat(tc.learningRateAt(55, 100)).isCloseTo(0.5e-3, within(1e-12));
        assertThat(tc.learningRateAt(100, 100)).isCloseTo(0, within(1e-12));
        // Cosine after the same warmup: the peak, half of it midway through the decay, zero at the end.
        TrainingConfig cos = TrainingConfig.builder().learningRate(1e-3).batchSize(32).epochs(1).weightDecay(0)
                .warmupRatio(0.1).maxGradNorm(1).seed(1).dropout(0).patience(0).labelSmoothing(0).threads(1)
                .schedule(TrainingConfig.Schedule.COSINE).classWeighting(TrainingConfig.ClassWeighting.NONE)
                .layerDecay(1.0).build();
        assertThat(cos.learningRateAt(9, 100)).isCloseTo(1e-3, within(1e-12));
        assertThat(cos.learningRateAt(10, 100)).isCloseTo(1e-3, within(1e-12));
        assertThat(cos.learningRateAt(55, 100)).isCloseTo(0.5e-3, within(1e-12));
        assertThat(cos.learningRateAt(32, 100)).isCloseTo(1e-3 * 0.5 * (1 + Math.cos(Math.PI * 22 / 90)), within(
                1e-15));
        assertThat(cos.learningRateAt(100, 100)).isCloseTo(0, within(1e-12));
        TrainingConfig flat = TrainingConfig.builder().learningRate(1e-3).batchSize(32).epochs(1).weightDecay(0)
                .warmupRatio(0.1).maxGradNorm(1).seed(1).dropout(0).patience(0).labelSmoothing(0).threads(1)
                .schedule(TrainingConfig.Schedule.CONSTANT).classWeighting(TrainingConfig.ClassWeighting.NONE)
                .layerDecay(1.0).build();
        assertThat(flat.learningRateAt(0, 100)).isCloseTo(1e-4, within(1e-12));
        assertThat(flat.learningRateAt(99, 100)).isEqualTo(1e-3);
    }

    @Test
    void balancedClassWeightsAreNOverKTimesTheLabelCount() {
        // N = 4, K = 3: label 0 (3 examples) 4/9, label 1 (1) 4/3, label 2 (none) 1.
        assertThat(io.finetide.model.train.Trainer.balancedWeights(new int[]{0, 0, 0, 1}, 3)).containsExactly(
                4f / 9, 4f / 3, 1f);
    }
}
