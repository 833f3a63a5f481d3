package io.finetide.ingestion.messaging;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/** Everything ingestion writes to Kafka. Each send waits for the broker's acknowledgement. */
@ApplicationScoped
public class EventPublisher {

    private static final Header PROTOBUF = new RecordHeader(Events.CONTENT_TYPE_HEADER,
            Events.CONTENT_TYPE_PROTOBUF.getBytes(StandardCharsets.UTF_8));

    @Inject
    @Channel("examples-labelled")
    MutinyEmitter<byte[]> labelled;

    @Inject
    @Channel("tasks-out")
    MutinyEmitter<byte[]> tasks;

    @Inject
    @Channel("dead-letter")
    MutinyEmitter<byte[]> deadLetter;

    public void labelled(LabelledExampleEvent event) {
        // Keyed by task: one task's examples stay in order on one partition.
        labelled.sendMessageAndAwait(message(event.getMeta().getTask(), event.toByteArray(), List.of(PROTOBUF)));
    }

    public void task(TaskDefinitionEvent task) {
        tasks.sendMessageAndAwait(message(task.getName(), task.toByteArray(), List.of(PROTOBUF)));
    }

    /** The original value, untouched, with the reason in headers. */
    public void deadLetter(ConsumerRecord<String, byte[]> record, RejectedException reason, String service) {
        List<Header> headers = new java.util.ArrayList<>(DeadLetters.headers(service, reason.reason(),
                reason.getMessage(), record.topic(), record.partition(), record.offset()));
        record.headers().forEach(headers::add);
        deadLetter.sendMessageAndAwait(message(record.key(), record.value(), headers));
    }

    private static Message<byte[]> message(String key, byte[] value, List<Header> headers) {
        return Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key)
                .withHeaders(new RecordHeaders(headers.toArray(Header[]::new))).build());
    }
}
