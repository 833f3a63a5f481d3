package io.finetide.preprocessing.messaging;

import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import io.finetide.preprocessing.ownership.TaskOwnership;
import io.finetide.preprocessing.preparation.PreparationService;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Tells preparation when the labelled topic's partitions move (channel {@code examples-labelled},
 * {@code consumer-rebalance-listener.name}): while another instance owned a task's partition it prepared examples and
 * numbered them, so what this instance knew of the task is stale. Found by the fault campaign: an instance that got a
 * partition back went on numbering from where it had stopped. It also keeps {@link TaskOwnership} up to date.
 */
@ApplicationScoped
@Identifier(PartitionHandover.NAME)
public class PartitionHandover implements KafkaConsumerRebalanceListener {

    public static final String NAME = "preparation-handover";

    @Inject
    PreparationService preparation;

    @Inject
    TaskOwnership ownership;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        preparation.partitionsMoved();
        // The whole assignment, not only what was added: right for eager and cooperative rebalances alike.
        java.util.Set<String> topics = consumer.subscription();
        List<TopicPartition> held = consumer.assignment().stream().filter(tp -> topics.contains(tp.topic())).toList();
        ownership.holding(numbers(held), held.isEmpty() ? 0 : consumer.partitionsFor(held.get(0).topic()).size());
    }

    // A revocation is not a release: in an eager rebalance (Kafka's default assignor) every partition is revoked and
    // most come back to the same member, which can take a minute when a member is slow to rejoin; the tasks would
    // belong to nobody meanwhile, their triggers and snapshot requests held. The next assignment says who has them.

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        ownership.released(numbers(partitions));
        preparation.partitionsMoved();
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).toList();
    }
}
