package io.finetide.evaluation.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.evaluation.gate.EvaluationService;
import io.finetide.evaluation.metrics.EvaluationMetrics;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.runtime.messaging.RecordHandler;
import io.smallrye.reactive.messaging.annotations.Blocking;

/** Candidates to judge (tasks and champions: {@link io.finetide.runtime.messaging.DirectoryFollower}). */
@ApplicationScoped
public class Consumers {

    @Inject
    EvaluationService evaluation;

    @Inject
    RecordHandler handler;

    @Inject
    EvaluationMetrics metrics;

    /** A missing or unreadable artifact means this candidate cannot be judged; the stream goes on. */
    @Incoming("trained")
    @Blocking
    public void trained(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(ModelTrainedEvent::parseFrom, ModelTrainedEvent::getMeta),
                evaluation::onTrained, metrics::rejected, IllegalArgumentException.class,
                IllegalStateException.class);
    }
}
