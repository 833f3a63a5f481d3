package io.finetide.training.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.DistillationRequestedEvent;
import io.finetide.proto.v1.TrialEvent;
import io.finetide.runtime.messaging.RecordHandler;
import io.finetide.training.distillation.DistillationService;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.runs.TrainingService;
import io.finetide.training.studies.StudyService;
import io.finetide.training.studies.TrialRunner;
import io.smallrye.reactive.messaging.annotations.Blocking;

/** Dataset snapshots to train on, distillation requests and studies' trials (tasks and champions: {@link io.finetide.runtime.messaging.DirectoryFollower}). */
@ApplicationScoped
public class Consumers {

    @Inject
    TrainingService training;

    @Inject
    RecordHandler handler;

    @Inject
    TrainingMetrics metrics;

    @Inject
    StudyService studies;

    @Inject
    TrialRunner trials;

    @Inject
    DistillationService distillations;

    @Incoming("snapshots")
    @Blocking
    public void snapshot(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(DatasetSnapshotEvent::parseFrom,
                DatasetSnapshotEvent::getMeta), snapshot -> {
                    // Kept first, so that studies find it, and a task's study starts beside its first candidate.
                    studies.onSnapshot(snapshot);
                    training.onSnapshot(snapshot);
                }, metrics::rejected);
    }

    /** A request to distil a task's model: one at a time per instance, as long as it trains. */
    @Incoming("distillations")
    @Blocking
    public void distillation(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(DistillationRequestedEvent::parseFrom,
                DistillationRequestedEvent::getMeta), distillations::onRequested, metrics::distillationRejected);
    }

    /** A study's trial: one at a time per instance, as long as it takes (the consumer is paused meanwhile). */
    @Incoming("trials")
    @Blocking
    public void trial(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(TrialEvent::parseFrom, TrialEvent::getMeta), trials::run,
                metrics::trialRejected);
    }
}
