package io.finetide.operator.tasks;

/**
 * What applying a resource's spec to the platform came to.
 *
 * @param revision the task's revision after the apply (0 when refused or not reached)
 * @param message  the platform's reason when refused or not reached
 */
public record TaskApplication(Outcome outcome, int revision, String message) {

    public enum Outcome {
        /** The task did not exist and was created. */
        CREATED,
        /** The task existed; it now has this definition (a new revision, or the same one when nothing changed). */
        APPLIED,
        /** The platform refused the definition (HTTP 4xx), with every problem in the message. */
        REFUSED,
        /** The platform could not be reached or failed (retried later). */
        UNREACHABLE;

        public boolean applied() {
            return this == CREATED || this == APPLIED;
        }
    }
}
