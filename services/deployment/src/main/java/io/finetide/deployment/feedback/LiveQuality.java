package io.finetide.deployment.feedback;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.metrics.DeploymentMetrics;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.FeedbackEvent;

/**
 * Live quality per served model, from feedback on its predictions: accuracy and macro-F1 over a sliding window of the
 * last {@link DeploymentConfig#liveWindow()} feedback events. Every replica reads all feedback from the topic, so all
 * agree, and a restarted one rebuilds its windows by reading it again.
 */
@ApplicationScoped
public class LiveQuality {

    /** A model's live figures over its window of {@code feedback} events; {@code taken} since the service started. */
    public record ModelFigures(String modelId, int feedback, long taken, double accuracy, double macroF1) {
    }

    private record Key(String task, String modelId) {
    }

    @Inject
    DeploymentConfig config;

    @Inject
    DeploymentMetrics metrics;

    private final Map<Key, LiveWindow> windows = new ConcurrentHashMap<>();

    /**
     * Takes one feedback event from the topic.
     *
     * @throws RejectedException when its prediction id is not one the serving APIs gave, or it has no label
     */
    /** @return the model whose window took the feedback */
    public String onFeedback(FeedbackEvent e) {
        Events.requireSupported(e.getMeta());
        PredictionId prediction = PredictionId.parse(e.getPredictionId()).orElseThrow(() -> new RejectedException(
                ReasonCode.MALFORMED_PAYLOAD, "'" + e.getPredictionId() + "' is not a prediction id this service "
                        + "gave"));
        if (e.getLabel().isBlank()) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, "feedback on " + e.getPredictionId()
                    + " has no label");
        }
        String task = e.getMeta().getTask();
        metrics.feedback(task, window(task, prediction.modelId()).add(prediction, e.getLabel()).tag());
        return prediction.modelId();
    }

    /**
     * Feedback on a champion's answer that a candidate in shadow also gave an answer to: it judges the candidate's
     * answer too ({@code shadow} names the candidate, its label and the champion's nonce).
     */
    public void onShadowFeedback(String task, PredictionId shadow, String truth) {
        window(task, shadow.modelId()).add(shadow, truth);
    }

    private LiveWindow window(String task, String modelId) {
        return windows.computeIfAbsent(new Key(task, modelId), k -> {
            LiveWindow w = new LiveWindow(config.liveWindow());
            metrics.liveQuality(task, modelId, w, x -> x.figures().accuracy(), x -> x.figures().macroF1());
            return w;
        });
    }

    /** The figures of every model of {@code task} with feedback. */
    public List<ModelFigures> figures(String task) {
        return windows.entrySet().stream().filter(w -> w.getKey().task().equals(task)).map(w -> figures(w.getKey()
                .modelId(), w.getValue())).sorted(java.util.Comparator.comparing(ModelFigures::modelId)).toList();
    }

    public Optional<ModelFigures> figures(String task, String modelId) {
        return Optional.ofNullable(windows.get(new Key(task, modelId))).map(w -> figures(modelId, w));
    }

    private static ModelFigures figures(String modelId, LiveWindow w) {
        LiveWindow.Figures f = w.figures();
        return new ModelFigures(modelId, f.feedback(), f.taken(), f.accuracy(), f.macroF1());
    }
}
