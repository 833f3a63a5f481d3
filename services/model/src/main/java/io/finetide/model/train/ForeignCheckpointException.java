package io.finetide.model.train;

/**
 * The checkpoint store holds a checkpoint of another run (another configuration, strategy, data or hyper-parameters):
 * resuming it would continue the wrong run, so training refuses. The caller decides whether to discard it.
 */
public final class ForeignCheckpointException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ForeignCheckpointException(String run) {
        super("the checkpoint belongs to another run: " + run);
    }
}
