package io.finetide.ingestion.messaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.domain.IngestService;
import io.finetide.ingestion.domain.IngestionMetrics;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.RawExamples;
import io.finetide.platform.store.StoreRetry;
import io.finetide.runtime.DeadLetterPublisher;
import io.finetide.runtime.messaging.KafkaMessages;
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
    DeadLetterPublisher deadLetters;

    @Inject
    IngestionMetrics metrics;

    @Incoming("examples-raw")
    @Blocking
    public void consume(ConsumerRecords<String, byte[]> records) {
        List<IngestService.Submission> submissions = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> origins = new ArrayList<>();
        Map<ConsumerRecord<String, byte[]>, RejectedException> rejected = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            metrics.received("kafka");
            try {
                submissions.add(new IngestService.Submission(RawExamples.decode(record.value(),
                        KafkaMessages.contentType(record)),
                        record.topic() + "/" + record.partition() + "@"
                                + record.offset()));
                origins.add(record);
            } catch (RejectedException e) {
                rejected.put(record, e);
            }
        }
        List<IngestService.Result> results = StoreRetry.call(() -> ingest.ingestAll(submissions));
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).rejection() != null) {
                rejected.put(origins.get(i), results.get(i).rejection());
            }
        }
        rejected.values().forEach(e -> metrics.rejected(e.reason(), "kafka"));
        deadLetters.send(rejected);
    }
}
