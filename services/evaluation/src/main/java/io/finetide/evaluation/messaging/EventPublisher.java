package io.finetide.evaluation.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.runtime.messaging.KafkaMessages;
import io.smallrye.reactive.messaging.MutinyEmitter;

@ApplicationScoped
public class EventPublisher {

    @Inject
    @Channel("evaluated-out")
    MutinyEmitter<byte[]> evaluated;

    public void evaluated(ModelEvaluatedEvent e) {
        evaluated.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }
}
