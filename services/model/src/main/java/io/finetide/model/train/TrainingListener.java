package io.finetide.model.train;

/** Progress callbacks, called on the training thread; keep them short. */
public interface TrainingListener {

    record Epoch(int epoch, int epochs, long step, long totalSteps, double trainLoss, double validationLoss,
            double validationAccuracy, long millis, boolean best) {
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
