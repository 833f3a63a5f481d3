package io.finetide.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.domain.IngestionMetrics;
import io.finetide.ingestion.domain.LabelService;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.RawExamples;
import io.finetide.platform.store.StoreRetry;
import io.finetide.runtime.DeadLetterPublisher;
import io.finetide.runtime.messaging.KafkaMessages;
import io.smallrye.reactive.messaging.annotations.Blocking;

/** {@code finetide.labels}: late labels; refused ones go to the dead-letter topic with their reason. */
@ApplicationScoped
public class LabelConsumer {

    @Inject
    LabelService labels;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    IngestionMetrics metrics;

    @Incoming("labels")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            var label = RawExamples.decodeLabel(record.value(), KafkaMessages.contentType(record));
            StoreRetry.call(() -> labels.apply(label));
        } catch (RejectedException e) {
            metrics.rejected(e.reason(), "kafka-labels");
            deadLetters.send(record, e);
        }
    }
}
