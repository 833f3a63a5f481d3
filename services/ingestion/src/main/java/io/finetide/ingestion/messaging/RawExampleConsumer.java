package io.finetide.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.config.IngestionConfig;
import io.finetide.ingestion.domain.IngestService;
import io.finetide.ingestion.domain.IngestionMetrics;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.RawExamples;
import io.finetide.platform.messaging.KafkaMessages;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * Reads {@code finetide.examples.raw}. An invalid record goes to the dead-letter topic with its reason and the stream
 * goes on; an unexpected failure nacks the record, which the channel's dead-letter strategy also routes there.
 */
@ApplicationScoped
public class RawExampleConsumer {

    @Inject
    IngestService ingest;

    @Inject
    EventPublisher publisher;

    @Inject
    IngestionMetrics metrics;

    @Inject
    IngestionConfig config;

    @Incoming("examples-raw")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        metrics.received("kafka");
        try {
            ingest.ingest(RawExamples.decode(record.value(), KafkaMessages.contentType(record)),
                    record.topic() + "/" + record.partition() + "@" + record.offset());
        } catch (RejectedException e) {
            metrics.rejected(e.reason(), "kafka");
            publisher.deadLetter(record, e, config.serviceName());
        }
    }
}
