package io.finetide.training.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.finetide.model.train.LabelledPair;
import io.finetide.model.train.LabelledText;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;

class RunDataTest {

    private static final List<SnapshotFile.Row> ROWS = List.of(
            SnapshotFile.Row.pair("a", "is it open", "open nine to five", "yes", "TRAIN"),
            SnapshotFile.Row.pair("b", "is it open", "the refund came", "no", "TRAIN"),
            SnapshotFile.Row.pair("c", "where is it", "on the corner", "yes", "VALIDATION"),
            SnapshotFile.Row.pair("d", "when", "tomorrow", "yes", "TEST"),
            // Not the task's label, or no second text: left out.
            SnapshotFile.Row.pair("e", "when", "now", "maybe", "TRAIN"),
            new SnapshotFile.Row("f", "a single text", "yes", "TRAIN"));

    private static TaskDefinitionEvent task(TaskType type) {
        return TaskDefinitionEvent.newBuilder().setName("t").setType(type).addLabels("no").addLabels("yes").build();
    }

    @Test
    void aPairTaskTrainsOnItsLabelledPairsOfEachSplit() {
        RunData data = RunData.of(task(TaskType.TEXT_PAIR_CLASSIFICATION), ROWS);
        assertThat(data.examples()).isInstanceOf(RunData.Pairs.class);
        RunData.Pairs pairs = (RunData.Pairs) data.examples();
        assertThat(pairs.train()).containsExactly(new LabelledPair("is it open", "open nine to five", 1),
                new LabelledPair("is it open", "the refund came", 0));
        assertThat(pairs.validation()).containsExactly(new LabelledPair("where is it", "on the corner", 1));
        assertThat(pairs.validationLabels()).containsExactly(1);
        assertThat(data.outputs()).containsExactly("no", "yes");
        assertThat(data.tagging()).isFalse();
    }

    @Test
    void aTextTaskReadsTheFirstTextOnly() {
        RunData data = RunData.of(task(TaskType.TEXT_CLASSIFICATION), ROWS);
        assertThat(data.examples()).isInstanceOf(RunData.Texts.class);
        assertThat(((RunData.Texts) data.examples()).train()).containsExactly(new LabelledText("is it open", 1),
                new LabelledText("is it open", 0), new LabelledText("a single text", 1));
        assertThat(data.validationCount()).isEqualTo(1);
    }
}
