package io.finetide.runtime.messaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.StoreRetry;
import io.finetide.proto.v1.EventMeta;

/**
 * What every incoming record goes through: decode, do the (idempotent) work under {@link StoreRetry}, and send what
 * is refused to the dead-letter topic with its reason, counted by the service's own metric, so that the stream goes
 * on. Any other failure propagates to the channel's dead-letter failure strategy.
 */
@ApplicationScoped
public class RecordHandler {

    /** Turns a record into what the work takes; a {@link RejectedException} refuses the record. */
    @FunctionalInterface
    public interface Decoder<E> {
        E decode(ConsumerRecord<String, byte[]> record);

        /** A protobuf event whose schema version this code supports. */
        static <E> Decoder<E> event(Events.ProtoParser<E> parser, Function<E, EventMeta> meta) {
            return record -> {
                E event = Events.parse(record.value(), parser);
                Events.requireSupported(meta.apply(event));
                return event;
            };
        }
    }

    /** Counts a refused record under the service's own metric. */
    @FunctionalInterface
    public interface Rejections {
        void count(ReasonCode reason);
    }

    @Inject
    DeadLetterPublisher deadLetters;

    /**
     * One record.
     *
     * @param unprocessable failures of this record's content beyond its own bytes (an artifact it names that cannot
     *                      be read): refused as {@link ReasonCode#PROCESSING_FAILED} rather than retried forever
     */
    @SafeVarargs
    public final <E> void handle(ConsumerRecord<String, byte[]> record, Decoder<E> decoder, Consumer<E> work,
            Rejections rejections, Class<? extends RuntimeException>... unprocessable) {
        try {
            E decoded = decoder.decode(record);
            StoreRetry.run(() -> work.accept(decoded));
        } catch (RejectedException e) {
            reject(Map.of(record, e), rejections);
        } catch (RuntimeException e) {
            for (Class<? extends RuntimeException> type : unprocessable) {
                if (type.isInstance(e)) {
                    reject(Map.of(record, new RejectedException(ReasonCode.PROCESSING_FAILED, e.getMessage())),
                            rejections);
                    return;
                }
            }
            throw e;
        }
    }

    /**
     * A polled batch: every record is decoded (refusing those that cannot be), the work takes the decoded ones at
     * once and answers which of them it refused, by index.
     */
    public <E> void handleBatch(Iterable<ConsumerRecord<String, byte[]>> records, Decoder<E> decoder,
            Function<List<E>, Map<Integer, RejectedException>> work, Rejections rejections) {
        reject(refusals(records, decoder, work), rejections);
    }

    /**
     * Decodes a polled batch and does its work, as {@link #handleBatch} does, but leaves the refused records to the
     * caller: those it answers, with their reasons, still need their dead letters.
     */
    public <E> Map<ConsumerRecord<String, byte[]>, RejectedException> refusals(
            Iterable<ConsumerRecord<String, byte[]>> records, Decoder<E> decoder,
            Function<List<E>, Map<Integer, RejectedException>> work) {
        List<E> decoded = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> origins = new ArrayList<>();
        Map<ConsumerRecord<String, byte[]>, RejectedException> rejected = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                decoded.add(decoder.decode(record));
                origins.add(record);
            } catch (RejectedException e) {
                rejected.put(record, e);
            }
        }
        if (!decoded.isEmpty()) {
            StoreRetry.call(() -> work.apply(decoded)).forEach((i, e) -> rejected.put(origins.get(i), e));
        }
        return rejected;
    }

    private void reject(Map<ConsumerRecord<String, byte[]>, RejectedException> rejected, Rejections rejections) {
        rejected.values().forEach(e -> rejections.count(e.reason()));
        deadLetters.send(rejected);
    }
}
