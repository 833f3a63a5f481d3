package io.finetide.training.messaging;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.DistillationRequestedEvent;
import io.finetide.proto.v1.ExamplesDeletedEvent;
import io.finetide.proto.v1.TrialEvent;
import io.finetide.proto.v1.UnlabelledExampleEvent;
import io.finetide.runtime.messaging.RecordHandler;
import io.finetide.training.distillation.DistillationService;
import io.finetide.training.distillation.UnlabelledTexts;
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

    @Inject
    UnlabelledTexts unlabelled;

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

    /** Unlabelled examples, kept for students to learn from (their teacher labels them). */
    @Incoming("examples-unlabelled")
    @Blocking
    public void unlabelled(ConsumerRecords<String, byte[]> records) {
        handler.handleBatch(records, RecordHandler.Decoder.event(UnlabelledExampleEvent::parseFrom,
                UnlabelledExampleEvent::getMeta), events -> {
                    unlabelled.keep(events);
                    return Map.of();
                }, metrics::examplesRejected);
    }

    /** Examples deleted on a subject's request: no student learns from them any more. */
    @Incoming("examples-deleted")
    @Blocking
    public void deleted(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(ExamplesDeletedEvent::parseFrom,
                ExamplesDeletedEvent::getMeta), unlabelled::forget, metrics::examplesRejected);
    }

    /** A study's trial: one at a time per instance, as long as it takes (the consumer is paused meanwhile). */
    @Incoming("trials")
    @Blocking
    public void trial(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(TrialEvent::parseFrom, TrialEvent::getMeta), trials::run,
                metrics::trialRejected);
    }
}
