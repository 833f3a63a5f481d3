package io.finetide.training.runs;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.finetide.model.train.TrainingListener;

/**
 * Where the runs training in this process stand, by model id: the training-runs API shows it beside the stored run,
 * which only changes when the run starts and ends.
 */
@ApplicationScoped
public class LiveRuns {

    /** A run's latest update, and when it was made. */
    public record Progress(int epoch, int epochs, long step, long totalSteps, double fraction,
            double examplesPerSecond, double learningRate, double trainLoss, Double etaSeconds, long updatedAtMs) {

        public static Progress of(TrainingListener.Steps s, long now) {
            double eta = s.etaSeconds();
            return new Progress(s.epoch(), s.epochs(), s.step(), s.totalSteps(), s.fraction(), s.examplesPerSecond(),
                    s.learningRate(), s.trainLoss(), Double.isNaN(eta) ? null : eta, now);
        }
    }

    private final Map<String, Progress> byModel = new ConcurrentHashMap<>();

    void update(String modelId, TrainingListener.Steps steps) {
        byModel.put(modelId, Progress.of(steps, System.currentTimeMillis()));
    }

    void ended(String modelId) {
        byModel.remove(modelId);
    }

    public Optional<Progress> of(String modelId) {
        return Optional.ofNullable(byModel.get(modelId));
    }
}
