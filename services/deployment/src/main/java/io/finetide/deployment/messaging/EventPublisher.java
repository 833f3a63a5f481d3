package io.finetide.deployment.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.platform.messaging.KafkaMessages;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;

@ApplicationScoped
public class EventPublisher {

    @Inject
    @Channel("promoted-out")
    MutinyEmitter<byte[]> promoted;

    public void promoted(ModelPromotedEvent e) {
        promoted.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }
}
