package io.finetide.ingestion.messaging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.intake.IngestService;
import io.finetide.ingestion.intake.RawExamples;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.platform.errors.RejectedException;
import io.finetide.runtime.messaging.KafkaMessages;
import io.finetide.runtime.messaging.RecordHandler;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * Reads {@code finetide.examples.raw} in batches. An invalid record goes to the dead-letter topic with its reason and
 * the stream goes on; a store failure is retried (the batch is idempotent), and only when retries run out does the
 * channel's dead-letter strategy take the batch.
 */
@ApplicationScoped
public class RawExampleConsumer {

    @Inject
    IngestService ingest;

    @Inject
    RecordHandler handler;

    @Inject
    IngestionMetrics metrics;

    @Incoming("examples-raw")
    @Blocking
    public void consume(ConsumerRecords<String, byte[]> records) {
        handler.handleBatch(records, record -> {
            metrics.received("kafka");
            return new IngestService.Submission(RawExamples.decode(record.value(), KafkaMessages.contentType(record)),
                    record.topic() + "/" + record.partition() + "@" + record.offset());
        }, submissions -> {
            List<IngestService.Result> results = ingest.ingestAll(submissions);
            Map<Integer, RejectedException> refused = new LinkedHashMap<>();
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i).rejection() != null) {
                    refused.put(i, results.get(i).rejection());
                }
            }
            return refused;
        }, reason -> metrics.rejected(reason, "kafka"));
    }
}
