package io.finetide.ingestion.labeling;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.ingestion.messaging.EventPublisher;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.ingestion.store.LabelingStore;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.ExampleScoredEvent;
import io.finetide.proto.v1.UnlabelledExampleEvent;

/**
 * Keeps the champion's view of unlabelled examples current for the labeling queue: each new unlabelled example is
 * sent to the deployment service for scoring, and after a promotion every one still unlabelled is sent again, so that
 * the queue ranks by the newest champion. Scores come back on {@code finetide.examples.scored} and are stored beside
 * the examples ({@code example_scores}); a score for an example labelled meanwhile is never read.
 */
@ApplicationScoped
public class ActiveLearning {

    private static final Logger LOG = Logger.getLogger(ActiveLearning.class);

    @Inject
    LabelingStore store;

    @Inject
    EventPublisher publisher;

    @Inject
    IngestionMetrics metrics;

    /** @param texts the examples to score: text by id */
    public void requestScores(String task, java.util.Map<String, String> texts) {
        if (texts.isEmpty()) {
            return;
        }
        List<UnlabelledExampleEvent> events = new ArrayList<>();
        texts.forEach((id, text) -> events.add(UnlabelledExampleEvent.newBuilder().setMeta(Events.meta(task)).setId(
                id).setText(text).build()));
        publisher.unlabelled(events);
    }

    /** A new champion: everything still unlabelled is scored again. */
    public void onPromoted(String task, String modelId) {
        // Until the new champion's scores are back the queue ranks what it has left: first-in first-out.
        store.dropScoresExcept(task, modelId);
        java.util.Map<String, String> texts = new java.util.LinkedHashMap<>();
        store.pending(task).stream().filter(p -> !p.held()).forEach(p -> texts.put(p.id(), p.text()));
        LOG.infof("champion %s of task %s: %d unlabelled examples sent for scoring", modelId, task, texts.size());
        requestScores(task, texts);
    }

    public void onScored(List<ExampleScoredEvent> events) {
        long now = System.currentTimeMillis();
        java.util.Map<String, java.util.Map<String, LabelingStore.Scores>> byTask = new java.util.LinkedHashMap<>();
        for (ExampleScoredEvent e : events) {
            float[] p = new float[e.getProbabilitiesCount()];
            for (int i = 0; i < p.length; i++) {
                p[i] = e.getProbabilities(i);
            }
            byTask.computeIfAbsent(e.getMeta().getTask(), t -> new java.util.LinkedHashMap<>()).put(e.getId(),
                    new LabelingStore.Scores(e.getModelId(), e.getLabelsList(), p));
        }
        byTask.forEach((task, scores) -> store.score(task, scores, now));
        metrics.scored(events.size());
    }
}
