package io.finetide.runtime.messaging;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.finetide.platform.errors.RejectedException;
import io.finetide.runtime.metrics.RuntimeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;

/**
 * A polled batch whose dead letters and consumed offsets are committed in one Kafka transaction, so that each refused
 * record has exactly one dead letter for readers that read committed records: a batch replayed after a crash, or
 * worked at once by an instance that lost its partitions and by the one that got them, cannot send its dead letters
 * twice, because only the transaction that commits the batch's offsets makes them visible (an instance that lost the
 * partitions is fenced by its consumer group generation). The work itself (store writes, events) is idempotent and
 * stays outside. A failure of the work or of the transaction aborts it; the consumer is then set back to the last
 * committed offsets and reads the batch again, so nothing is skipped.
 * <p>
 * The incoming channel needs {@code commit-strategy=ignore} (the transaction commits) and
 * {@code failure-strategy=ignore} (a failed batch is read again, not dead-lettered whole); the outgoing channel of the
 * {@link KafkaTransactions} emitter writes the dead-letter topic with a {@code transactional.id} of its own.
 */
@ApplicationScoped
public class ExactlyOnceBatches {

    private static final Logger LOG = Logger.getLogger(ExactlyOnceBatches.class);

    @Inject
    RecordHandler handler;

    @Inject
    MeterRegistry registry;

    @Inject
    DeadLetterPublisher publisher;

    @ConfigProperty(name = "quarkus.application.name")
    String service;

    /**
     * Does the batch's work as {@link RecordHandler#handleBatch} does and commits its dead letters with its offsets.
     * Refusals are counted once the transaction commits, not for a batch that will be read again.
     */
    public <E> Uni<Void> handle(KafkaRecordBatch<String, byte[]> batch, KafkaTransactions<byte[]> deadLetters,
            RecordHandler.Decoder<E> decoder, Function<List<E>, Map<Integer, RejectedException>> work,
            RecordHandler.Rejections rejections) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordBatchMetadata<String, byte[]> metadata = batch.getMetadata(
                IncomingKafkaRecordBatchMetadata.class).orElseThrow();
        Map<ConsumerRecord<String, byte[]>, RejectedException> refused;
        RuntimeException failure = null;
        try {
            refused = handler.refusals(metadata.getRecords(), decoder, work);
        } catch (RuntimeException e) {
            refused = Map.of();
            failure = e;
        }
        RuntimeException workFailure = failure;
        Map<ConsumerRecord<String, byte[]>, RejectedException> toSend = refused;
        return deadLetters.withTransactionAndAck(batch, tx -> {
            if (workFailure != null) {
                return Uni.createFrom().failure(workFailure);
            }
            toSend.forEach((record, reason) -> tx.send(KafkaMessages.deadLetter(record, reason, service)));
            return Uni.createFrom().voidItem();
        }).invoke(() -> toSend.forEach((record, reason) -> {
            rejections.count(reason.reason());
            publisher.count(record, reason);
        })).onFailure().recoverWithItem(e -> {
            // Not a failure of the stream: the consumer was set back to its committed offsets and reads the batch again.
            LOG.warnf("batch of %d records on %s aborted, read again from the last committed offsets: %s", metadata
                    .count(), metadata.getChannel(), e.toString());
            registry.counter(RuntimeMetrics.BATCHES_ABORTED, "channel", metadata.getChannel()).increment();
            return null;
        });
    }
}
