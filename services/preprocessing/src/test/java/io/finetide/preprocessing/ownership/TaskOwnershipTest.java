package io.finetide.preprocessing.ownership;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class TaskOwnershipTest {

    @Test
    void aTaskIsOnThePartitionKafkasProducerPutsItsExamplesOn() {
        for (int partitions : new int[]{1, 3, 6, 12}) {
            for (String task : List.of("sst2", "chaos", "trec", "spam-detection", "ünïcode-tâsk", "")) {
                assertThat(TaskOwnership.partitionOf(task, partitions)).as(task + " of " + partitions).isEqualTo(
                        BuiltInPartitioner.partitionForKey(task.getBytes(StandardCharsets.UTF_8), partitions));
            }
        }
    }

    @Test
    void anInstanceOwnsTheTasksOfThePartitionsItHolds() {
        TaskOwnership ownership = new TaskOwnership();
        String task = "sst2";
        int mine = TaskOwnership.partitionOf(task, 3);
        assertThat(ownership.owns(task)).as("before any assignment").isFalse();

        List<Integer> others = IntStream.range(0, 3).filter(p -> p != mine).boxed().toList();
        ownership.holding(others, 3);
        assertThat(ownership.owns(task)).as("the other partitions").isFalse();

        ownership.holding(List.of(mine), 3);
        assertThat(ownership.owns(task)).isTrue();
        ownership.holding(others, 3);
        assertThat(ownership.owns(task)).as("after a rebalance gave it the others only").isFalse();

        ownership.holding(IntStream.range(0, 3).boxed().toList(), 3);
        ownership.released(List.of(mine));
        assertThat(ownership.owns(task)).as("after its partition was lost").isFalse();
    }
}
