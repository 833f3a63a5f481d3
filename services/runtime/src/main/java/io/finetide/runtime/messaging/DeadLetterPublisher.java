package io.finetide.runtime.messaging;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.platform.errors.RejectedException;
import io.finetide.runtime.metrics.RuntimeMetrics;
import io.finetide.runtime.store.DeadLetterLedger;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;

/**
 * Sends refused records to the dead-letter topic (channel {@code dead-letter}), each with its reason, and waits for
 * the broker's acknowledgement: a record is acknowledged on its own topic only once its dead letter is safe. Each
 * dead letter is then recorded in the {@link DeadLetterLedger}, so that a batch replayed after a crash (dead letters
 * sent, offsets not yet committed) does not send them again; only a crash between the broker's acknowledgement and
 * that one write still can. Before sending, each partition's mark is raised to the records' highest offset, so that
 * only records at or below the mark it had are looked up in the ledger. A service without a store (the operator)
 * has no ledger.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    @Inject
    MeterRegistry registry;

    @Inject
    @Channel("dead-letter")
    MutinyEmitter<byte[]> deadLetter;

    @ConfigProperty(name = "quarkus.application.name")
    String service;

    @Inject
    Instance<DeadLetterLedger> ledger;

    public void send(Map<ConsumerRecord<String, byte[]>, RejectedException> rejected) {
        Set<String> sentBefore = ledger.isResolvable() && !rejected.isEmpty()
                ? ledger.get().sentAmong(replayable(rejected.keySet()))
                : Set.of();
        Map<ConsumerRecord<String, byte[]>, RejectedException> fresh = new LinkedHashMap<>();
        rejected.forEach((record, reason) -> {
            if (!sentBefore.contains(position(record))) {
                fresh.put(record, reason);
            }
        });
        KafkaMessages.sendAll(deadLetter, fresh.entrySet().stream()
                .map(e -> KafkaMessages.deadLetter(e.getKey(), e.getValue(), service)).toList());
        if (ledger.isResolvable() && !fresh.isEmpty()) {
            ledger.get().recordSent(fresh.keySet().stream().map(DeadLetterPublisher::position).toList(), System
                    .currentTimeMillis());
        }
        fresh.forEach(this::count);
    }

    /**
     * Raises each partition's mark to the records' highest offset and answers the positions of those that may have
     * been dead-lettered before: at or below the mark it had. A partition without a mark yet (its first dead letter,
     * or a ledger kept before marks were) has all of them looked up.
     */
    private List<String> replayable(Collection<ConsumerRecord<String, byte[]>> records) {
        // Each partition's highest offset, then in its place the mark it had.
        Map<String, Long> marks = new TreeMap<>();
        records.forEach(r -> marks.merge(partition(r), r.offset(), Math::max));
        marks.replaceAll((partition, highest) -> ledger.get().raiseMark(partition, highest));
        return records.stream().filter(r -> {
            long mark = marks.get(partition(r));
            return mark == DeadLetterLedger.NO_MARK || r.offset() <= mark;
        }).map(DeadLetterPublisher::position).toList();
    }

    /** Counts one record's dead letter, sent. */
    void count(ConsumerRecord<String, byte[]> record, RejectedException reason) {
        registry.counter(RuntimeMetrics.DEAD_LETTERS, "reason", reason.reason().tag(), "topic", record.topic())
                .increment();
    }

    /** {@code topic/partition}, the key of a partition's mark. */
    private static String partition(ConsumerRecord<String, byte[]> record) {
        return record.topic() + "/" + record.partition();
    }

    private static String position(ConsumerRecord<String, byte[]> record) {
        return partition(record) + "@" + record.offset() + "/" + record.timestamp();
    }
}
