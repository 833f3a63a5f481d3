package io.finetide.training.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.proto.v1.DistillationRequestedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.StudyProgressEvent;
import io.finetide.proto.v1.TrainingProgressEvent;
import io.finetide.runtime.messaging.KafkaMessages;
import io.smallrye.reactive.messaging.MutinyEmitter;

@ApplicationScoped
public class EventPublisher {

    @Inject
    @Channel("progress-out")
    MutinyEmitter<byte[]> progress;

    @Inject
    @Channel("trained-out")
    MutinyEmitter<byte[]> trained;

    @Inject
    @Channel("studies-out")
    MutinyEmitter<byte[]> studies;

    @Inject
    @Channel("distillations-out")
    MutinyEmitter<byte[]> distillations;

    public void distillationRequested(DistillationRequestedEvent e) {
        distillations.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    public void study(StudyProgressEvent e) {
        studies.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    public void progress(TrainingProgressEvent e) {
        progress.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }

    public void trained(ModelTrainedEvent e) {
        trained.sendMessageAndAwait(KafkaMessages.event(e.getMeta().getTask(), e));
    }
}
