package io.finetide.preprocessing.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.messaging.KafkaMessages;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.PreparedExampleEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;

@ApplicationScoped
public class EventPublisher {

    @Inject
    @Channel("examples-prepared")
    MutinyEmitter<byte[]> prepared;

    @Inject
    @Channel("snapshots-out")
    MutinyEmitter<byte[]> snapshots;

    @Inject
    @Channel("dead-letter")
    MutinyEmitter<byte[]> deadLetter;

    public void prepared(PreparedExampleEvent e) {
        prepared.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    public void snapshot(DatasetSnapshotEvent e) {
        snapshots.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    public void deadLetter(ConsumerRecord<String, byte[]> record, RejectedException reason, String service) {
        deadLetter.sendMessageAndAwait(KafkaMessages.deadLetter(record, reason, service));
    }
}
