package io.finetide.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

import io.finetide.model.adapters.Lora;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.TrainingConfig;
import io.finetide.platform.tasks.BaseCatalogue;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.FineTuning;
import io.finetide.proto.v1.FineTuningStrategy;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.LoraTarget;
import io.finetide.proto.v1.Optimizer;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.training.runs.Models;

/** From a task's (defaulted) hyper-parameters to the library's strategy and training configuration. */
class ModelsTest {

    static HyperParameters defaulted(HyperParameters h) {
        return TaskDefinitions.validated(TaskDefinitionEvent.newBuilder().setName("m").addLabels("a").addLabels("b")
                .setHyperParameters(h).build()).getHyperParameters();
    }

    static HyperParameters strategy(FineTuning.Builder f) {
        return defaulted(HyperParameters.newBuilder().setFineTuning(f).build());
    }

    @Test
    void everyStrategyMapsToTheLibrarysOwn() {
        assertThat(Models.strategy(defaulted(HyperParameters.getDefaultInstance()))).isEqualTo(Strategy.full());
        assertThat(Models.strategy(strategy(FineTuning.newBuilder().setStrategy(FineTuningStrategy.HEAD_ONLY))))
                .isEqualTo(Strategy.headOnly());
        assertThat(Models.strategy(strategy(FineTuning.newBuilder().setStrategy(FineTuningStrategy.TOP_LAYERS)
                .setTopLayers(3)))).isEqualTo(Strategy.topLayers(3));
        assertThat(Models.strategy(strategy(FineTuning.newBuilder().setStrategy(
                FineTuningStrategy.GRADUAL_UNFREEZING)))).isEqualTo(Strategy.gradual());
        assertThat(Models.strategy(strategy(FineTuning.newBuilder().setStrategy(FineTuningStrategy.LORA))))
                .isEqualTo(Strategy.lora(Lora.of(8, 16)));
        assertThat(Models.strategy(strategy(FineTuning.newBuilder().setStrategy(FineTuningStrategy.LORA)
                .setLoraRank(4).setLoraAlpha(4).addLoraTargets(LoraTarget.KEY).addLoraTargets(LoraTarget.OUTPUT))))
                .isEqualTo(Strategy.lora(new Lora(4, 4, EnumSet.of(Lora.Target.KEY, Lora.Target.OUTPUT))));
    }

    @Test
    void optimizerMomentumAndAccumulationReachTheRun() {
        TrainingConfig adam = Models.training(defaulted(HyperParameters.getDefaultInstance()), 2, 1);
        assertThat(adam.optimizer()).isEqualTo(io.finetide.model.optim.Optimizer.ADAMW);
        assertThat(adam.accumulationSteps()).isEqualTo(1);
        TrainingConfig sgd = Models.training(defaulted(HyperParameters.newBuilder().setOptimizer(Optimizer.SGD)
                .setGradientAccumulationSteps(4).build()), 2, 1);
        assertThat(sgd.optimizer()).isEqualTo(io.finetide.model.optim.Optimizer.SGD);
        assertThat(sgd.momentum()).isEqualTo(0.9);
        assertThat(sgd.accumulationSteps()).isEqualTo(4);
        assertThat(adam.selection()).isEqualTo(TrainingConfig.Selection.ACCURACY);
        assertThat(Models.training(defaulted(HyperParameters.newBuilder().setSelectionMetric(
                io.finetide.proto.v1.SelectionMetric.VALIDATION_LOSS).build()), 2, 1).selection()).isEqualTo(
                        TrainingConfig.Selection.LOSS);
    }

    @Test
    void explicitZerosReachTheRunAndLeftOutFieldsTakeTheDefaults() {
        TrainingConfig zeros = Models.training(defaulted(HyperParameters.newBuilder().setWeightDecay(0).setDropout(0)
                .setWarmupRatio(0).setMaxGradNorm(0).setSeed(0).setOptimizer(Optimizer.SGD).setMomentum(0).build()),
                2, 1);
        assertThat(zeros.weightDecay()).isZero();
        assertThat(zeros.dropout()).isZero();
        assertThat(zeros.warmupRatio()).isZero();
        // No clipping: the library reads a maximum norm of 0 as none.
        assertThat(zeros.maxGradNorm()).isZero();
        assertThat(zeros.seed()).isZero();
        assertThat(zeros.momentum()).isZero();
        // Without warmup the first step runs at the full rate.
        assertThat(zeros.learningRateAt(0, 100)).isEqualTo(zeros.learningRate());
        TrainingConfig defaults = Models.training(defaulted(HyperParameters.newBuilder().setOptimizer(Optimizer.SGD)
                .build()), 2, 1);
        assertThat(defaults.weightDecay()).isEqualTo(0.01);
        assertThat(defaults.dropout()).isEqualTo(0.1);
        assertThat(defaults.warmupRatio()).isEqualTo(0.1);
        assertThat(defaults.maxGradNorm()).isEqualTo(1.0);
        assertThat(defaults.seed()).isEqualTo(42);
        assertThat(defaults.momentum()).isEqualTo(0.9);
    }

    @Test
    void theTaskCatalogueNamesTheBasesAndTokenizersTheModelLibraryShips() {
        // The platform cannot see the model library; this is where the two lists are held to each other.
        assertThat(BaseCatalogue.PRETRAINED.keySet()).isEqualTo(PretrainedEncoders.BUILTIN.keySet());
        assertThat(BaseCatalogue.TOKENIZERS).isEqualTo(Tokenizer.BUILTIN.keySet());
        BaseCatalogue.PRETRAINED.forEach((name, spec) -> {
            PretrainedEncoders.Base base = PretrainedEncoders.base(name);
            assertThat(spec.getTokenizer()).as(name).isEqualTo(base.tokenizer());
            assertThat(spec.getLayers()).as(name).isEqualTo(base.shape().layers());
            assertThat(spec.getHiddenSize()).as(name).isEqualTo(base.shape().hidden());
            assertThat(spec.getFfnSize()).as(name).isEqualTo(base.shape().intermediate());
            assertThat(spec.getHeads()).as(name).isEqualTo(base.heads());
        });
    }
}
