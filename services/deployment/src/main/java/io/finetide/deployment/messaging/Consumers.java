package io.finetide.deployment.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.deployment.domain.DeploymentMetrics;
import io.finetide.deployment.domain.RegistryService;
import io.finetide.deployment.domain.UnlabelledScorer;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.StoreRetry;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.UnlabelledExampleEvent;
import io.finetide.runtime.DeadLetterPublisher;
import io.finetide.runtime.messaging.KafkaMessages;
import io.smallrye.reactive.messaging.annotations.Blocking;

@ApplicationScoped
public class Consumers {

    @Inject
    RegistryService registry;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    UnlabelledScorer scorer;

    @Inject
    DeploymentMetrics metrics;

    @Incoming("trained")
    @Blocking
    public void trained(ConsumerRecord<String, byte[]> record) {
        handle(record, () -> registry.onTrained(Events.parse(record.value(), ModelTrainedEvent::parseFrom)));
    }

    @Incoming("evaluated")
    @Blocking
    public void evaluated(ConsumerRecord<String, byte[]> record) {
        handle(record, () -> registry.onEvaluated(Events.parse(record.value(), ModelEvaluatedEvent::parseFrom)));
    }

    @Incoming("examples-unlabelled")
    @Blocking
    public void unlabelled(ConsumerRecords<String, byte[]> records) {
        scorer.score(KafkaMessages.parseAll(records, UnlabelledExampleEvent::parseFrom,
                UnlabelledExampleEvent::getMeta, (record, e) -> {
                    metrics.rejected(e.reason());
                    deadLetters.send(record, e);
                }));
    }

    private void handle(ConsumerRecord<String, byte[]> record, Runnable action) {
        try {
            StoreRetry.run(action);
        } catch (RejectedException e) {
            metrics.rejected(e.reason());
            deadLetters.send(record, e);
        } catch (IllegalArgumentException e) {
            // An unreadable model bundle: keep it out of service, keep the stream going.
            RejectedException reason = new RejectedException(ReasonCode.PROCESSING_FAILED, e.getMessage());
            metrics.rejected(reason.reason());
            deadLetters.send(record, reason);
        }
    }
}
