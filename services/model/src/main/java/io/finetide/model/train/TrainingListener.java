package io.finetide.model.train;

/** Progress callbacks, called on the training thread; keep them short. */
public interface TrainingListener {

    /**
     * @param validationAccuracy accuracy (entity F1 for token tasks, next-token accuracy for language models)
     * @param validationMetric   the run's selection metric ({@link TrainingConfig.Selection}; the negated loss for
     *                           LOSS), by which the best epoch is chosen
     */
    record Epoch(int epoch, int epochs, long step, long totalSteps, double trainLoss, double validationLoss,
            double validationAccuracy, double validationMetric, long millis, boolean best) {
    }

    default void started(int epochs, long totalSteps, int trainExamples) {
    }

    default void epochEnded(Epoch epoch) {
    }

    /** The run continues from a checkpoint: {@code step} updates are done, {@code epoch} is the one it goes on in. */
    default void resumed(long step, int epoch) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
