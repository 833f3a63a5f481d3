package io.finetide.evaluation.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.evaluation.domain.EvaluationMetrics;
import io.finetide.evaluation.domain.EvaluationService;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.StoreRetry;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.runtime.DeadLetterPublisher;
import io.smallrye.reactive.messaging.annotations.Blocking;

@ApplicationScoped
public class Consumers {

    @Inject
    EvaluationService evaluation;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    EvaluationMetrics metrics;

    @Incoming("tasks")
    public void task(ConsumerRecord<String, byte[]> record) {
        evaluation.directory().onTaskRecord(record.key(), record.value());
    }

    @Incoming("champions")
    public void champion(ConsumerRecord<String, byte[]> record) {
        evaluation.directory().onChampionRecord(record.value());
    }

    @Incoming("trained")
    @Blocking
    public void trained(ConsumerRecord<String, byte[]> record) {
        try {
            ModelTrainedEvent trained = Events.parse(record.value(), ModelTrainedEvent::parseFrom);
            StoreRetry.run(() -> evaluation.onTrained(trained));
        } catch (RejectedException e) {
            metrics.rejected(e.reason());
            deadLetters.send(record, e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // A missing or unreadable artifact: this candidate cannot be judged; the stream goes on.
            RejectedException reason = new RejectedException(ReasonCode.PROCESSING_FAILED, e.getMessage());
            metrics.rejected(reason.reason());
            deadLetters.send(record, reason);
        }
    }
}
