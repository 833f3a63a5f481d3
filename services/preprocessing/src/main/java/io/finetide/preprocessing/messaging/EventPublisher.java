package io.finetide.preprocessing.messaging;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.DriftEvent;
import io.finetide.proto.v1.PreparedExampleEvent;
import io.finetide.runtime.messaging.KafkaMessages;
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
    @Channel("drift-out")
    MutinyEmitter<byte[]> drift;

    public void prepared(List<PreparedExampleEvent> events) {
        KafkaMessages.sendAll(prepared, events.stream().map(e -> KafkaMessages.event(e.getMeta().getTask(), e))
                .toList());
    }

    public void snapshot(DatasetSnapshotEvent e) {
        snapshots.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    public void drift(DriftEvent e) {
        drift.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }
}
