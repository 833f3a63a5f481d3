package io.finetide.platform.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.proto.v1.FineTuning;
import io.finetide.proto.v1.FineTuningStrategy;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.LrSchedule;
import io.finetide.proto.v1.SearchParameter;
import io.finetide.proto.v1.StudySampler;
import io.finetide.proto.v1.StudySpec;

class StudySpecsTest {

    static SearchParameter range(String name, double low, double high, boolean log) {
        return SearchParameter.newBuilder().setName(name).setLow(low).setHigh(high).setLog(log).build();
    }

    @Test
    void aBadSpaceIsRefusedWithEveryProblemListed() {
        StudySpec spec = StudySpecs.withDefaults(StudySpec.newBuilder()
                .addParameters(range("learningRate", 0, 1e-3, true))
                .addParameters(range("epochs", 5, 2, false))
                .addParameters(range("learningRateMultiplier", 1, 2, false))
                .addParameters(SearchParameter.newBuilder().setName("fineTuning.loraRank").setLow(4).setHigh(32)
                        .setParent("fineTuning.strategy").addParentValues("LORA"))
                .addParameters(SearchParameter.newBuilder().setName("schedule").addChoices("LINEAR").addChoices(
                        "SQUARE"))
                .build());
        assertThat(StudySpecs.problems(spec)).containsExactly(
                "parameters.learningRate: a log range needs low > 0",
                "parameters.learningRate: 0.0 is outside what a task accepts ((0.0, 1.0])",
                "parameters.epochs: the range is empty (low 5.0 must be below high 2.0)",
                "parameters.learningRateMultiplier: unknown; searchable are " + String.join(", ", Tunable.names()),
                "parameters.fineTuning.loraRank: its parent 'fineTuning.strategy' must be a parameter listed before it",
                "parameters.schedule: 'SQUARE' is not one of [LINEAR, COSINE, CONSTANT]",
                "trials or maxMinutes: a study needs a trial count, a time budget or both");
    }

    @Test
    void aGridLargerThanTheTrialBudgetIsRefused() {
        StudySpec.Builder grid = StudySpec.newBuilder().setSampler(StudySampler.GRID).setTrials(8)
                .addParameters(SearchParameter.newBuilder().setName("learningRate").addValues(1e-5).addValues(1e-4)
                        .addValues(1e-3))
                .addParameters(SearchParameter.newBuilder().setName("fineTuning.strategy").addChoices("FULL")
                        .addChoices("LORA"))
                .addParameters(SearchParameter.newBuilder().setName("fineTuning.loraRank").setLow(4).setHigh(5)
                        .setParent("fineTuning.strategy").addParentValues("LORA"));
        // 3 rates × (FULL + LORA × 2 ranks) = 9 points.
        assertThat(StudySpecs.problems(StudySpecs.withDefaults(grid.build()))).containsExactly(
                "sampler GRID: the grid has 9 points, more than the 8 trials");
        assertThat(StudySpecs.problems(StudySpecs.withDefaults(grid.setTrials(9).build()))).isEmpty();
        assertThat(StudySpecs.problems(StudySpecs.withDefaults(grid.addParameters(range("dropout", 0, 0.3, false))
                .build()))).containsExactly(
                        "sampler GRID: every real parameter needs its values listed (a range has no grid)");
    }

    @Test
    void aTrialsValuesGoIntoTheTasksHyperParameters() {
        HyperParameters task = HyperParameters.newBuilder().setLearningRate(1e-3).setEpochs(3).setBatchSize(32)
                .setFineTuning(FineTuning.newBuilder().setStrategy(FineTuningStrategy.TOP_LAYERS).setTopLayers(2))
                .build();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("fineTuning.loraRank", 16);
        values.put("fineTuning.strategy", "LORA");
        values.put("learningRate", 3e-4);
        values.put("schedule", "COSINE");
        HyperParameters hp = StudySpecs.apply(task, values);
        assertThat(hp.getLearningRate()).isEqualTo(3e-4);
        assertThat(hp.getEpochs()).isEqualTo(3);
        assertThat(hp.getSchedule()).isEqualTo(LrSchedule.COSINE);
        // The strategy's predecessor's settings are gone, its own child set after it whatever the map's order.
        assertThat(hp.getFineTuning()).isEqualTo(FineTuning.newBuilder().setStrategy(FineTuningStrategy.LORA)
                .setLoraRank(16).build());
        assertThat(StudySpecs.asText(values)).containsEntry("learningRate", "3.0E-4").containsEntry(
                "fineTuning.strategy", "LORA");
    }

    @Test
    void everyChoiceTunableListsItsProtoValues() {
        assertThat(Tunable.STRATEGY.choices()).containsExactly("FULL", "HEAD_ONLY", "TOP_LAYERS",
                "GRADUAL_UNFREEZING", "LORA");
        assertThat(Tunable.named("batchSize")).contains(Tunable.BATCH_SIZE);
        assertThat(List.of(Tunable.values())).extracting(Tunable::jsonName).doesNotHaveDuplicates();
    }
}
