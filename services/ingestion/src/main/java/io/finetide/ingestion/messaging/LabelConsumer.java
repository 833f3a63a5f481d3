package io.finetide.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.intake.RawExamples;
import io.finetide.ingestion.labeling.LabelService;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.runtime.messaging.KafkaMessages;
import io.finetide.runtime.messaging.RecordHandler;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * {@code finetide.labels}: late labels, in batches (their examples read in one look-up); refused ones go to the
 * dead-letter topic with their reason.
 */
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
    public void consume(ConsumerRecords<String, byte[]> records) {
        handler.handleBatch(records, r -> RawExamples.decodeLabel(r.value(), KafkaMessages.contentType(r)),
                labels::applyAll, reason -> metrics.rejected(reason, "kafka-labels"));
    }
}
