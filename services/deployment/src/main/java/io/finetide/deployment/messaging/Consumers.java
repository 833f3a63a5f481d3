package io.finetide.deployment.messaging;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.deployment.delivery.DeliveryService;
import io.finetide.deployment.feedback.LiveQuality;
import io.finetide.deployment.metrics.DeploymentMetrics;
import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.rollout.RolloutService;
import io.finetide.deployment.serving.UnlabelledScorer;
import io.finetide.proto.v1.FeedbackEvent;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.RolloutEvent;
import io.finetide.proto.v1.UnlabelledExampleEvent;
import io.finetide.runtime.messaging.RecordHandler;
import io.smallrye.reactive.messaging.annotations.Blocking;

@ApplicationScoped
public class Consumers {

    @Inject
    RegistryService registry;

    @Inject
    RecordHandler handler;

    @Inject
    UnlabelledScorer scorer;

    @Inject
    DeploymentMetrics metrics;

    @Inject
    LiveQuality live;

    @Inject
    DeliveryService delivery;

    @Inject
    RolloutService rollouts;

    /** An unreadable model bundle stays out of service, and the stream goes on. */
    @Incoming("trained")
    @Blocking
    public void trained(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(ModelTrainedEvent::parseFrom, ModelTrainedEvent::getMeta),
                registry::onTrained, metrics::rejected, IllegalArgumentException.class);
    }

    @Incoming("evaluated")
    @Blocking
    public void evaluated(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(ModelEvaluatedEvent::parseFrom,
                ModelEvaluatedEvent::getMeta), registry::onEvaluated, metrics::rejected,
                IllegalArgumentException.class);
    }

    /** Feedback that names no prediction this service gave goes to the dead letters, and the stream goes on. */
    @Incoming("feedback")
    @Blocking
    public void feedback(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(FeedbackEvent::parseFrom, FeedbackEvent::getMeta),
                e -> {
                    String model = live.onFeedback(e);
                    rollouts.onFeedback(e);
                    delivery.judgeLive(e.getMeta().getTask(), model);
                }, metrics::rejected);
    }

    /** A rollout transition announced by any replica (this one included): serve the candidate in its stage. */
    @Incoming("rollouts")
    @Blocking
    public void rollout(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(RolloutEvent::parseFrom, RolloutEvent::getMeta),
                rollouts::onRolloutEvent, metrics::rejected, IllegalArgumentException.class);
    }

    /** A promotion announced by any replica (this one included): serve the champion if the registry still names it. */
    @Incoming("promotions")
    @Blocking
    public void promoted(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(ModelPromotedEvent::parseFrom, ModelPromotedEvent::getMeta),
                registry::onPromoted, metrics::rejected, IllegalArgumentException.class);
    }

    @Incoming("examples-unlabelled")
    @Blocking
    public void unlabelled(ConsumerRecords<String, byte[]> records) {
        handler.handleBatch(records, RecordHandler.Decoder.event(UnlabelledExampleEvent::parseFrom,
                UnlabelledExampleEvent::getMeta), events -> {
                    scorer.score(events);
                    return Map.of();
                }, metrics::rejected);
    }
}
