package io.finetide.preprocessing.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.preprocessing.config.PreprocessingConfig;
import io.finetide.preprocessing.domain.PreparationService;
import io.finetide.preprocessing.domain.PreprocessingMetrics;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;

@ApplicationScoped
public class Consumers {

    @Inject
    PreparationService preparation;

    @Inject
    EventPublisher publisher;

    @Inject
    PreprocessingMetrics metrics;

    @Inject
    PreprocessingConfig config;

    /** The compacted tasks topic, read from the start at every start (no committed offsets). */
    @Incoming("tasks")
    public void task(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            preparation.tasks().remove(record.key());
            return;
        }
        TaskDefinitionEvent task = Events.parse(record.value(), TaskDefinitionEvent::parseFrom);
        preparation.tasks().put(task.getName(), task);
    }

    @Incoming("examples-labelled")
    @Blocking
    public void example(ConsumerRecord<String, byte[]> record) {
        try {
            preparation.prepare(Events.parse(record.value(), LabelledExampleEvent::parseFrom));
        } catch (RejectedException e) {
            metrics.rejected(e.reason());
            publisher.deadLetter(record, e, config.serviceName());
        }
    }
}
