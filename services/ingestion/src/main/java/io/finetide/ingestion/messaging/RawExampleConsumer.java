package io.finetide.ingestion.messaging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.intake.IngestService;
import io.finetide.ingestion.intake.RawExamples;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.platform.errors.RejectedException;
import io.finetide.runtime.messaging.ExactlyOnceBatches;
import io.finetide.runtime.messaging.KafkaMessages;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;

/**
 * Reads {@code finetide.examples.raw} in batches. An invalid record goes to the dead-letter topic with its reason, once
 * (its dead letter is committed with the batch's offsets) and the stream goes on; a store failure is retried (the
 * batch is idempotent), and when retries run out the batch is read again from its committed offsets.
 */
@ApplicationScoped
public class RawExampleConsumer {

    @Inject
    IngestService ingest;

    @Inject
    ExactlyOnceBatches batches;

    @Inject
    @Channel("examples-raw-dead-letters")
    KafkaTransactions<byte[]> deadLetters;

    @Inject
    IngestionMetrics metrics;

    @Incoming("examples-raw")
    @Blocking
    public Uni<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        return batches.handle(batch, deadLetters, record -> {
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
