package io.finetide.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.messaging.KafkaMessages;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;

/** Everything ingestion writes to Kafka. Each send waits for the broker's acknowledgement. */
@ApplicationScoped
public class EventPublisher {

    @Inject
    @Channel("examples-labelled")
    MutinyEmitter<byte[]> labelled;

    @Inject
    @Channel("tasks-out")
    MutinyEmitter<byte[]> tasks;

    @Inject
    @Channel("dead-letter")
    MutinyEmitter<byte[]> deadLetter;

    public void labelled(LabelledExampleEvent event) {
        labelled.sendMessageAndAwait(KafkaMessages.event(event.getMeta().getTask(), event));
    }

    public void task(TaskDefinitionEvent task) {
        tasks.sendMessageAndAwait(KafkaMessages.event(task.getName(), task));
    }

    public void deadLetter(ConsumerRecord<String, byte[]> record, RejectedException reason, String service) {
        deadLetter.sendMessageAndAwait(KafkaMessages.deadLetter(record, reason, service));
    }
}
