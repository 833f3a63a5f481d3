package io.finetide.preprocessing.messaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.StoreRetry;
import io.finetide.preprocessing.domain.DriftMonitor;
import io.finetide.preprocessing.domain.PreparationService;
import io.finetide.preprocessing.domain.PreprocessingMetrics;
import io.finetide.proto.v1.ExamplesDeletedEvent;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.PredictionStatsEvent;
import io.finetide.runtime.DeadLetterPublisher;
import io.smallrye.reactive.messaging.annotations.Blocking;

@ApplicationScoped
public class Consumers {

    private static final Logger LOG = Logger.getLogger(Consumers.class);

    @Inject
    PreparationService preparation;

    @Inject
    DriftMonitor drift;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    PreprocessingMetrics metrics;

    /** The compacted tasks topic, read from the start at every start (no committed offsets). */
    @Incoming("tasks")
    public void task(ConsumerRecord<String, byte[]> record) {
        preparation.directory().onTaskRecord(record.key(), record.value());
    }

    /** The compacted promotions topic: drift is measured against the champion's training data. */
    @Incoming("champions")
    public void champion(ConsumerRecord<String, byte[]> record) {
        preparation.directory().onChampionRecord(record.value());
    }

    @Incoming("examples-labelled")
    @Blocking
    public void examples(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> origins = new ArrayList<>();
        List<PreparationService.Incoming> examples = new ArrayList<>();
        Map<ConsumerRecord<String, byte[]>, RejectedException> rejected = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                examples.add(new PreparationService.Incoming(Events.parse(record.value(),
                        LabelledExampleEvent::parseFrom), record.topic(), record.partition(), record.offset()));
                origins.add(record);
            } catch (RejectedException e) {
                metrics.rejected(e.reason());
                rejected.put(record, e);
            }
        }
        StoreRetry.call(() -> preparation.prepareAll(examples)).forEach((i, e) -> rejected.put(origins.get(i), e));
        deadLetters.send(rejected);
    }

    /** Subjects' examples removed on request; replays delete nothing more. */
    @Incoming("examples-deleted")
    @Blocking
    public void deleted(ConsumerRecord<String, byte[]> record) {
        ExamplesDeletedEvent e = Events.parse(record.value(), ExamplesDeletedEvent::parseFrom);
        long n = StoreRetry.call(() -> preparation.delete(e));
        LOG.infof("task %s: %d of %d example(s) deleted (%s)", e.getMeta().getTask(), n, e.getIdsCount(), e
                .getReason());
    }

    @Incoming("predictions-stats")
    public void predictions(ConsumerRecord<String, byte[]> record) {
        drift.onPredictions(Events.parse(record.value(), PredictionStatsEvent::parseFrom));
    }
}
