package io.finetide.training.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.StoreRetry;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.runtime.DeadLetterPublisher;
import io.finetide.training.domain.TrainingMetrics;
import io.finetide.training.domain.TrainingService;
import io.smallrye.reactive.messaging.annotations.Blocking;

@ApplicationScoped
public class Consumers {

    @Inject
    TrainingService training;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    TrainingMetrics metrics;

    @Incoming("tasks")
    public void task(ConsumerRecord<String, byte[]> record) {
        training.directory().onTaskRecord(record.key(), record.value());
    }

    /** The compacted promotions topic: its newest record per task is the champion to continue from. */
    @Incoming("champions")
    public void champion(ConsumerRecord<String, byte[]> record) {
        training.directory().onChampionRecord(record.value());
    }

    @Incoming("snapshots")
    @Blocking
    public void snapshot(ConsumerRecord<String, byte[]> record) {
        try {
            DatasetSnapshotEvent snapshot = Events.parse(record.value(), DatasetSnapshotEvent::parseFrom);
            StoreRetry.run(() -> training.onSnapshot(snapshot));
        } catch (RejectedException e) {
            metrics.rejected(e.reason());
            deadLetters.send(record, e);
        }
    }
}
