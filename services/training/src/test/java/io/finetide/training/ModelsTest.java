package io.finetide.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

import io.finetide.model.encoder.EncoderGraph;
import io.finetide.model.encoder.Lora;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.TrainingConfig;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.FineTuning;
import io.finetide.proto.v1.FineTuningStrategy;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.LoraTarget;
import io.finetide.proto.v1.Optimizer;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.training.domain.Models;

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
        assertThat(adam.optimizer()).isEqualTo(EncoderGraph.Optimizer.ADAMW);
        assertThat(adam.accumulationSteps()).isEqualTo(1);
        TrainingConfig sgd = Models.training(defaulted(HyperParameters.newBuilder().setOptimizer(Optimizer.SGD)
                .setGradientAccumulationSteps(4).build()), 2, 1);
        assertThat(sgd.optimizer()).isEqualTo(EncoderGraph.Optimizer.SGD);
        assertThat(sgd.momentum()).isEqualTo(0.9);
        assertThat(sgd.accumulationSteps()).isEqualTo(4);
        assertThat(adam.selection()).isEqualTo(TrainingConfig.Selection.ACCURACY);
        assertThat(Models.training(defaulted(HyperParameters.newBuilder().setSelectionMetric(
                io.finetide.proto.v1.SelectionMetric.VALIDATION_LOSS).build()), 2, 1).selection()).isEqualTo(
                        TrainingConfig.Selection.LOSS);
    }
}
