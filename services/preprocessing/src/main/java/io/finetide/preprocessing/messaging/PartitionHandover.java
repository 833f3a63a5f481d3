package io.finetide.preprocessing.messaging;

import java.util.Collection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import io.finetide.preprocessing.preparation.PreparationService;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Tells preparation when the labelled topic's partitions move (channel {@code examples-labelled},
 * {@code consumer-rebalance-listener.name}): while another instance owned a task's partition it prepared examples and
 * numbered them, so what this instance knew of the task is stale. Found by the fault campaign: an instance that got a
 * partition back went on numbering from where it had stopped.
 */
@ApplicationScoped
@Identifier(PartitionHandover.NAME)
public class PartitionHandover implements KafkaConsumerRebalanceListener {

    public static final String NAME = "preparation-handover";

    @Inject
    PreparationService preparation;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        preparation.partitionsMoved();
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        preparation.partitionsMoved();
    }
}
