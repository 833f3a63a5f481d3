package io.finetide.model.train;

/** Progress callbacks, called on the training thread; keep them short. */
public interface TrainingListener {

    /**
     * @param validationScore  the task's accuracy-like figure ({@link ValidationFigures#score}): accuracy for sequences,
     *                         entity F1 for tags, next-token or teacher-forced token accuracy for language models and
     *                         sequence to sequence
     * @param validationMetric   the run's selection metric ({@link TrainingConfig.Selection}; the negated loss for
     *                           LOSS), by which the best epoch is chosen
     */
    record Epoch(int epoch, int epochs, long step, long totalSteps, double trainLoss, double validationLoss,
            double validationScore, double validationMetric, long millis, boolean best) {
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
