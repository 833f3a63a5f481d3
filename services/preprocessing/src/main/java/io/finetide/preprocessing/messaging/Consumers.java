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

import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.StoreRetry;
import io.finetide.preprocessing.domain.PreparationService;
import io.finetide.preprocessing.domain.PreprocessingMetrics;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.runtime.DeadLetterPublisher;
import io.smallrye.reactive.messaging.annotations.Blocking;

@ApplicationScoped
public class Consumers {

    @Inject
    PreparationService preparation;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    PreprocessingMetrics metrics;

    /** The compacted tasks topic, read from the start at every start (no committed offsets). */
    @Incoming("tasks")
    public void task(ConsumerRecord<String, byte[]> record) {
        preparation.directory().onTaskRecord(record.key(), record.value());
    }

    @Incoming("examples-labelled")
    @Blocking
    public void examples(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> origins = new ArrayList<>();
        List<LabelledExampleEvent> examples = new ArrayList<>();
        Map<ConsumerRecord<String, byte[]>, RejectedException> rejected = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                examples.add(Events.parse(record.value(), LabelledExampleEvent::parseFrom));
                origins.add(record);
            } catch (RejectedException e) {
                metrics.rejected(e.reason());
                rejected.put(record, e);
            }
        }
        StoreRetry.call(() -> preparation.prepareAll(examples)).forEach((i, e) -> rejected.put(origins.get(i), e));
        deadLetters.send(rejected);
    }
}
