package io.finetide.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.intake.RawExamples;
import io.finetide.ingestion.labeling.LabelService;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.runtime.messaging.KafkaMessages;
import io.finetide.runtime.messaging.RecordHandler;
import io.smallrye.reactive.messaging.annotations.Blocking;

/** {@code finetide.labels}: late labels; refused ones go to the dead-letter topic with their reason. */
@ApplicationScoped
public class LabelConsumer {

    @Inject
    LabelService labels;

    @Inject
    RecordHandler handler;

    @Inject
    IngestionMetrics metrics;

    @Incoming("labels")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, r -> RawExamples.decodeLabel(r.value(), KafkaMessages.contentType(r)), labels::apply,
                reason -> metrics.rejected(reason, "kafka-labels"));
    }
}
