package io.finetide.deployment.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.deployment.messaging.EventPublisher;
import io.finetide.deployment.metrics.DeploymentMetrics;
import io.finetide.model.infer.Classifier;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.ExampleScoredEvent;
import io.finetide.proto.v1.UnlabelledExampleEvent;

/**
 * Active learning's half in deployment: the champion of each task predicts a distribution for unlabelled examples,
 * which ingestion ranks by uncertainty. These predictions are not served traffic: they stay out of the prediction
 * statistics that live drift is measured on. A task without a champion yet gets no scores (its queue stays
 * first-in first-out until a promotion makes ingestion ask again).
 */
@ApplicationScoped
public class UnlabelledScorer {

    /** Texts per model call: the batch the served model is fastest with on CPU. */
    static final int CHUNK = 32;

    @Inject
    ServingModels serving;

    @Inject
    EventPublisher publisher;

    @Inject
    DeploymentMetrics metrics;

    public void score(List<UnlabelledExampleEvent> events) {
        Map<String, List<UnlabelledExampleEvent>> byTask = new LinkedHashMap<>();
        events.forEach(e -> byTask.computeIfAbsent(e.getMeta().getTask(), t -> new ArrayList<>()).add(e));
        List<ExampleScoredEvent> out = new ArrayList<>();
        byTask.forEach((task, list) -> {
            for (int from = 0; from < list.size(); from += CHUNK) {
                List<UnlabelledExampleEvent> chunk = list.subList(from, Math.min(list.size(), from + CHUNK));
                Optional<ServingModels.Answer> answer;
                try {
                    answer = serving.predict(task,
                            ServedText.singles(chunk.stream().map(UnlabelledExampleEvent::getText)
                                    .toList()));
                } catch (ServedModel.WrongKindException e) {
                    // A tagging (or generation) task's queue is not ranked by the model (no distribution per
                    // text): it stays first-in first-out.
                    metrics.scored(task, "tagging", list.size());
                    return;
                }
                if (answer.isEmpty()) {
                    metrics.scored(task, "no-champion", list.size());
                    return;
                }
                for (int i = 0; i < chunk.size(); i++) {
                    Classifier.Prediction p = answer.get().predictions().get(i);
                    ExampleScoredEvent.Builder b = ExampleScoredEvent.newBuilder().setMeta(Events.meta(task)).setId(
                            chunk.get(i).getId()).setModelId(answer.get().modelId()).addAllLabels(answer.get()
                                    .labels());
                    for (float f : p.probabilities()) {
                        b.addProbabilities(f);
                    }
                    out.add(b.build());
                }
                metrics.scored(task, "scored", chunk.size());
            }
        });
        publisher.scored(out);
    }
}
