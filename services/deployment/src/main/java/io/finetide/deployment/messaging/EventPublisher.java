package io.finetide.deployment.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.platform.messaging.KafkaMessages;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.PredictionStatsEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;

@ApplicationScoped
public class EventPublisher {

    @Inject
    @Channel("promoted-out")
    MutinyEmitter<byte[]> promoted;

    @Inject
    @Channel("prediction-stats-out")
    MutinyEmitter<byte[]> stats;

    public void predictionStats(PredictionStatsEvent e) {
        stats.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    public void promoted(ModelPromotedEvent e) {
        promoted.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }
}
