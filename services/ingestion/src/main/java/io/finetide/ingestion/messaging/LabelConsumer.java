package io.finetide.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.intake.RawExamples;
import io.finetide.ingestion.labeling.LabelService;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.runtime.messaging.ExactlyOnceBatches;
import io.finetide.runtime.messaging.KafkaMessages;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;

/**
 * {@code finetide.labels}: late labels, in batches (their examples read in one look-up); refused ones go to the
 * dead-letter topic with their reason, committed with the batch's offsets ({@link ExactlyOnceBatches}).
 */
@ApplicationScoped
public class LabelConsumer {

    @Inject
    LabelService labels;

    @Inject
    ExactlyOnceBatches batches;

    @Inject
    @Channel("labels-dead-letters")
    KafkaTransactions<byte[]> deadLetters;

    @Inject
    IngestionMetrics metrics;

    @Incoming("labels")
    @Blocking
    public Uni<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        return batches.handle(batch, deadLetters, r -> RawExamples.decodeLabel(r.value(), KafkaMessages.contentType(r)),
                labels::applyAll, reason -> metrics.rejected(reason, "kafka-labels"));
    }
}
