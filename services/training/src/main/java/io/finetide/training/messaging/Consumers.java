package io.finetide.training.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.runtime.messaging.RecordHandler;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.runs.TrainingService;
import io.smallrye.reactive.messaging.annotations.Blocking;

/** Dataset snapshots to train on (tasks and champions: {@link io.finetide.runtime.messaging.DirectoryFollower}). */
@ApplicationScoped
public class Consumers {

    @Inject
    TrainingService training;

    @Inject
    RecordHandler handler;

    @Inject
    TrainingMetrics metrics;

    @Incoming("snapshots")
    @Blocking
    public void snapshot(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(DatasetSnapshotEvent::parseFrom,
                DatasetSnapshotEvent::getMeta), training::onSnapshot, metrics::rejected);
    }
}
