package io.finetide.ingestion.messaging;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.domain.ActiveLearning;
import io.finetide.ingestion.domain.IngestionMetrics;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.StoreRetry;
import io.finetide.proto.v1.ExampleScoredEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.runtime.DeadLetterPublisher;
import io.finetide.runtime.messaging.KafkaMessages;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * The champion's scores of unlabelled examples ({@code finetide.examples.scored}) and promotions
 * ({@code finetide.models.promoted}: every unlabelled example is scored again by the new champion).
 */
@ApplicationScoped
public class ActiveLearningConsumers {

    @Inject
    ActiveLearning activeLearning;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    IngestionMetrics metrics;

    @Incoming("examples-scored")
    @Blocking
    public void scored(ConsumerRecords<String, byte[]> records) {
        List<ExampleScoredEvent> events = KafkaMessages.parseAll(records, ExampleScoredEvent::parseFrom,
                ExampleScoredEvent::getMeta, (record, e) -> {
                    metrics.rejected(e.reason(), "kafka-scores");
                    deadLetters.send(record, e);
                });
        StoreRetry.run(() -> activeLearning.onScored(events));
    }

    @Incoming("promotions")
    @Blocking
    public void promoted(ConsumerRecord<String, byte[]> record) {
        try {
            ModelPromotedEvent e = Events.parse(record.value(), ModelPromotedEvent::parseFrom);
            Events.requireSupported(e.getMeta());
            StoreRetry.run(() -> activeLearning.onPromoted(e.getMeta().getTask(), e.getModelId()));
        } catch (RejectedException e) {
            metrics.rejected(e.reason(), "kafka-promotions");
            deadLetters.send(record, e);
        }
    }
}
