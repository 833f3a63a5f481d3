package io.finetide.deployment.serving;

/** A request refused because the task's batching queue holds as many texts as it may: the caller should back off. */
public final class QueueFullException extends RuntimeException {

    QueueFullException(int waiting, int capacity) {
        super(waiting + " texts are waiting for this task's model, the queue holds at most " + capacity
                + "; retry later");
    }
}
