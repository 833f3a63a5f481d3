package io.finetide.runtime.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.google.protobuf.MessageLite;

import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/** Builds the outgoing messages every service sends: keyed protobuf events and dead letters. */
public final class KafkaMessages {

    private static final Header PROTOBUF = new RecordHeader(Events.CONTENT_TYPE_HEADER,
            Events.CONTENT_TYPE_PROTOBUF.getBytes(StandardCharsets.UTF_8));

    private static final java.time.Duration SEND_TIMEOUT = java.time.Duration.ofMinutes(2);

    private KafkaMessages() {
    }

    /** A protobuf event keyed by {@code key} (the task, so that one task's events stay in order). */
    public static Message<byte[]> event(String key, MessageLite event) {
        return message(key, event.toByteArray(), List.of(PROTOBUF));
    }

    /** The original value, untouched, with the reason and origin in headers and the original headers kept. */
    public static Message<byte[]> deadLetter(ConsumerRecord<String, byte[]> record, RejectedException reason,
            String service) {
        List<Header> headers = new ArrayList<>(DeadLetters.headers(service, reason.reason(), reason.getMessage(),
                record.topic(), record.partition(), record.offset()));
        record.headers().forEach(headers::add);
        return message(record.key(), record.value(), headers);
    }

    public static Message<byte[]> message(String key, byte[] value, List<Header> headers) {
        return Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key)
                .withHeaders(new RecordHeaders(headers.toArray(Header[]::new))).build());
    }

    /**
     * Sends all messages at once and waits until the broker has acknowledged every one: one round trip's latency for
     * a whole batch instead of one per message.
     */
    public static void sendAll(MutinyEmitter<byte[]> emitter, List<Message<byte[]>> messages) {
        if (messages.isEmpty()) {
            return;
        }
        List<Uni<Void>> acks = new ArrayList<>(messages.size());
        for (Message<byte[]> m : messages) {
            acks.add(emitter.sendMessage(m));
        }
        Uni.join().all(acks).andFailFast().await().atMost(SEND_TIMEOUT);
    }

    /** The content-type header of a record, or null. */
    public static String contentType(ConsumerRecord<?, ?> record) {
        Header ct = record.headers().lastHeader(Events.CONTENT_TYPE_HEADER);
        return ct == null ? null : new String(ct.value(), StandardCharsets.UTF_8);
    }
}
