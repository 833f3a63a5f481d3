package io.finetide.ingestion.messaging;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.proto.v1.ExamplesDeletedEvent;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.UnlabelledExampleEvent;
import io.finetide.runtime.messaging.KafkaMessages;
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

    public void labelled(List<LabelledExampleEvent> events) {
        KafkaMessages.sendAll(labelled, events.stream().map(e -> KafkaMessages.event(e.getMeta().getTask(), e))
                .toList());
    }

    @Inject
    @Channel("examples-deleted-out")
    MutinyEmitter<byte[]> deleted;

    public void deleted(ExamplesDeletedEvent e) {
        deleted.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    @Inject
    @Channel("examples-unlabelled-out")
    MutinyEmitter<byte[]> unlabelled;

    public void unlabelled(List<UnlabelledExampleEvent> events) {
        KafkaMessages.sendAll(unlabelled, events.stream().map(e -> KafkaMessages.event(e.getMeta().getTask(), e))
                .toList());
    }

    public void task(TaskDefinitionEvent task) {
        tasks.sendMessageAndAwait(KafkaMessages.event(task.getName(), task));
    }
}
