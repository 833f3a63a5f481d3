package io.finetide.ingestion.messaging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.ingestion.store.ExampleRecord;
import io.finetide.ingestion.store.ExampleStore;
import io.finetide.proto.v1.LabelledExampleEvent;

/**
 * Sends labelled examples downstream once they are stored, never before: of instances racing on one id only the
 * one whose write won sends, so what preprocessing receives is what the store holds. Each send is recorded once the
 * broker has acknowledged it; a stored example without that record (a crash came in between, in this instance or
 * another) is sent when its id comes again, as a replay of the topic or a client's retry brings it.
 */
@ApplicationScoped
public class LabelledSender {

    /** What a call sent: the examples given and those sent again, by key. */
    public record Sent(Set<String> keys, int resent) {
    }

    @Inject
    ExampleStore store;

    @Inject
    EventPublisher publisher;

    @Inject
    IngestionMetrics metrics;

    /**
     * @param stored labelled examples this instance has just stored, each with the label to send
     * @param seenAgain keys of stored examples that came again (duplicates by id): each is checked, and sent if it
     *            is labelled and was never recorded as sent
     */
    public Sent send(List<ExampleRecord> stored, Collection<String> seenAgain) {
        ExampleStore.SendCheck check = seenAgain.isEmpty()
                ? new ExampleStore.SendCheck(List.of(), Set.of())
                : store.sendCheck(seenAgain);
        List<ExampleRecord> all = new ArrayList<>(stored);
        all.addAll(check.unsent());
        long now = System.currentTimeMillis();
        List<LabelledExampleEvent> events = all.stream().map(e -> e.toEvent(e.label(), e.ingestedAtMs())).toList();
        publisher.labelled(events);
        List<String> keys = all.stream().map(ExampleRecord::key).toList();
        store.recordSent(keys, now);
        events.forEach(e -> metrics.emitted(e.getMeta().getTask(), 1));
        check.unsent().forEach(e -> metrics.resent(e.task()));
        Set<String> sent = new java.util.HashSet<>(keys);
        sent.addAll(check.sent());
        return new Sent(sent, check.unsent().size());
    }
}
