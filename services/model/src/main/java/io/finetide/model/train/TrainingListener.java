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

    /**
     * Where a run stands after an update.
     *
     * @param examplesInEpoch   training examples of this epoch seen so far
     * @param epochExamples     training examples in an epoch
     * @param trainLoss         mean training loss of this epoch so far
     * @param learningRate      the rate of the update just made
     * @param examplesPerSecond training examples per second since the run (or its resumption) began
     */
    record Steps(int epoch, int epochs, long step, long totalSteps, long examplesInEpoch, long epochExamples,
            double trainLoss, double learningRate, double examplesPerSecond) {

        /** Updates done over all updates of the run, 0 to 1. */
        public double fraction() {
            return totalSteps == 0 ? 0 : Math.min(1.0, step / (double) totalSteps);
        }

        /** Seconds left at the pace so far (validation not counted), or NaN before the pace is known. */
        public double etaSeconds() {
            if (examplesPerSecond <= 0) {
                return Double.NaN;
            }
            double examplesLeft = (epochs - epoch + 1) * (double) epochExamples - examplesInEpoch;
            return Math.max(0, examplesLeft) / examplesPerSecond;
        }
    }

    default void started(int epochs, long totalSteps, int trainExamples) {
    }

    /** After every update; cheap listeners only (a listener that publishes decides itself how often). */
    default void stepped(Steps steps) {
    }

    /** A checkpoint of the run was written after {@code step} updates. */
    default void checkpointed(long step) {
    }

    default void epochEnded(Epoch epoch) {
    }

    /** The run continues from a checkpoint: {@code step} updates are done, {@code epoch} is the one it goes on in. */
    default void resumed(long step, int epoch) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
