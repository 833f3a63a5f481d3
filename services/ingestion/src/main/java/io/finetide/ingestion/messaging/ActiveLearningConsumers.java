package io.finetide.ingestion.messaging;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.labeling.ActiveLearning;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.proto.v1.ExampleScoredEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.runtime.messaging.RecordHandler;
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
    RecordHandler handler;

    @Inject
    IngestionMetrics metrics;

    @Incoming("examples-scored")
    @Blocking
    public void scored(ConsumerRecords<String, byte[]> records) {
        handler.handleBatch(records, RecordHandler.Decoder.event(ExampleScoredEvent::parseFrom,
                ExampleScoredEvent::getMeta), events -> {
                    activeLearning.onScored(events);
                    return Map.of();
                }, reason -> metrics.rejected(reason, "kafka-scores"));
    }

    @Incoming("promotions")
    @Blocking
    public void promoted(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(ModelPromotedEvent::parseFrom, ModelPromotedEvent::getMeta),
                e -> activeLearning.onPromoted(e.getMeta().getTask(), e.getModelId()), reason -> metrics.rejected(
                        reason, "kafka-promotions"));
    }
}
