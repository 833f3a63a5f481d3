package io.finetide.deployment.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.proto.v1.ExampleScoredEvent;
import io.finetide.proto.v1.FeedbackEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelRolledBackEvent;
import io.finetide.proto.v1.PredictionStatsEvent;
import io.finetide.proto.v1.RolloutEvent;
import io.finetide.runtime.messaging.KafkaMessages;
import io.smallrye.reactive.messaging.MutinyEmitter;

@ApplicationScoped
public class EventPublisher {

    @Inject
    @Channel("promoted-out")
    MutinyEmitter<byte[]> promoted;

    @Inject
    @Channel("prediction-stats-out")
    MutinyEmitter<byte[]> stats;

    @Inject
    @Channel("examples-scored-out")
    MutinyEmitter<byte[]> scored;

    @Inject
    @Channel("feedback-out")
    MutinyEmitter<byte[]> feedback;

    /** Publishes the events and returns once the broker has them all. */
    public void feedback(java.util.List<FeedbackEvent> events) {
        KafkaMessages.sendAll(feedback, events.stream().map(e -> KafkaMessages.event(e.getMeta().getTask(), e))
                .toList());
    }

    public void scored(java.util.List<ExampleScoredEvent> events) {
        KafkaMessages.sendAll(scored, events.stream().map(e -> KafkaMessages.event(e.getMeta().getTask(), e))
                .toList());
    }

    public void predictionStats(PredictionStatsEvent e) {
        stats.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    @Inject
    @Channel("rolledback-out")
    MutinyEmitter<byte[]> rolledBack;

    public void rolledBack(ModelRolledBackEvent e) {
        rolledBack.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    @Inject
    @Channel("rollouts-out")
    MutinyEmitter<byte[]> rollouts;

    public void rollout(RolloutEvent e) {
        rollouts.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    public void promoted(ModelPromotedEvent e) {
        promoted.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }
}
