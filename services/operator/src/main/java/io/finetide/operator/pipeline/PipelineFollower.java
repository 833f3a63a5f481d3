package io.finetide.operator.pipeline;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.operator.metrics.OperatorMetrics;
import io.finetide.operator.reconcile.TaskStates;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelRolledBackEvent;
import io.finetide.proto.v1.TrainingProgressEvent;
import io.finetide.runtime.messaging.RecordHandler;
import io.smallrye.common.annotation.Blocking;

/**
 * Follows what the pipeline announces about tasks into their status: snapshots, training progress, promotions and
 * rollbacks. Each channel is read from the beginning by a group of this process's own (nothing committed), so a
 * restarted operator rebuilds every status; events are idempotent on the state (the newest wins).
 */
@ApplicationScoped
public class PipelineFollower {

    @Inject
    RecordHandler handler;

    @Inject
    TaskStates states;

    @Inject
    OperatorMetrics metrics;

    @Incoming("snapshots")
    @Blocking
    public void snapshot(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(DatasetSnapshotEvent::parseFrom,
                DatasetSnapshotEvent::getMeta), states::snapshot, metrics::rejected);
    }

    @Incoming("training-progress")
    @Blocking
    public void progress(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(TrainingProgressEvent::parseFrom,
                TrainingProgressEvent::getMeta), states::progress, metrics::rejected);
    }

    @Incoming("promotions")
    @Blocking
    public void promoted(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(ModelPromotedEvent::parseFrom,
                ModelPromotedEvent::getMeta), states::promoted, metrics::rejected);
    }

    @Incoming("rollbacks")
    @Blocking
    public void rolledBack(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(ModelRolledBackEvent::parseFrom,
                ModelRolledBackEvent::getMeta), states::rolledBack, metrics::rejected);
    }
}
