package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.HeadSpec;

/**
 * Fine-tuning the imported MiniLM-L6 and BGE-small end to end: a few steps must be enough to learn a task they have
 * the words for.
 */
class PretrainedFineTuneTest {

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"minilm-l6", "bge-small"})
    void fewStepsOfFineTuningLearnATask(String base) {
        List<LabelledText> train = EncoderTrainingTest.data(160, 11);
        List<LabelledText> validation = EncoderTrainingTest.data(100, 12);
        PretrainedEncoders.Pretrained pre = PretrainedEncoders.load(base,
                HeadSpec.sequence(2, PretrainedEncoders.base(base).pooling()),
                0.1, 3);
        try (Tokenizer tokenizer = Tokenizer.builtin(PretrainedEncoders.base(base).tokenizer(), 32)) {
            Trainer.Result r = Trainer.train(pre.config(), pre.weights(), tokenizer, train, validation,
                    TrainingConfig.builder().learningRate(1e-4).batchSize(16).epochs(2).weightDecay(0.01)
                            .warmupRatio(0.1).maxGradNorm(1.0).seed(3).dropout(0.1).patience(0).labelSmoothing(0)
                            .threads(2).build(),
                    TrainingListener.NONE);
            assertThat(r.steps()).isEqualTo(20);
            assertThat(r.best().validationScore()).isGreaterThanOrEqualTo(0.9);
            // The encoder moved from the base weights; the shapes are the base's.
            assertThat(r.weights().get("encoder.layer.5.output.dense.weight").values())
                    .isNotEqualTo(pre.weights().get("encoder.layer.5.output.dense.weight").values());
        }
    }
}
