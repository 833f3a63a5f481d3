package io.finetide.preprocessing.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.finetide.platform.events.Events;
import io.finetide.preprocessing.drift.DriftMonitor;
import io.finetide.preprocessing.metrics.PreprocessingMetrics;
import io.finetide.preprocessing.preparation.PreparationService;
import io.finetide.proto.v1.ExamplesDeletedEvent;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.PredictionStatsEvent;
import io.finetide.runtime.messaging.RecordHandler;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * Labelled examples to prepare, deletions, and live prediction statistics for drift (tasks and champions:
 * {@link io.finetide.runtime.messaging.DirectoryFollower}).
 */
@ApplicationScoped
public class Consumers {

    private static final Logger LOG = Logger.getLogger(Consumers.class);

    @Inject
    PreparationService preparation;

    @Inject
    DriftMonitor drift;

    @Inject
    RecordHandler handler;

    @Inject
    PreprocessingMetrics metrics;

    @Incoming("examples-labelled")
    @Blocking
    public void examples(ConsumerRecords<String, byte[]> records) {
        handler.handleBatch(records, record -> new PreparationService.Incoming(Events.parse(record.value(),
                LabelledExampleEvent::parseFrom), record.topic(), record.partition(), record.offset()),
                preparation::prepareAll, metrics::rejected);
    }

    /** Subjects' examples removed on request; replays delete nothing more. */
    @Incoming("examples-deleted")
    @Blocking
    public void deleted(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, r -> Events.parse(r.value(), ExamplesDeletedEvent::parseFrom), e -> {
            long n = preparation.delete(e);
            LOG.infof("task %s: %d of %d example(s) deleted (%s)", e.getMeta().getTask(), n, e.getIdsCount(), e
                    .getReason());
        }, metrics::rejected);
    }

    @Incoming("predictions-stats")
    public void predictions(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, r -> Events.parse(r.value(), PredictionStatsEvent::parseFrom), drift::onPredictions,
                metrics::rejected);
    }
}
