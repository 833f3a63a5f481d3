package io.finetide.training.privacy;

/** A private task's run refused before its first update: it would take the task's ε past its budget. */
public class PrivacyBudgetExhaustedException extends RuntimeException {

    public PrivacyBudgetExhaustedException(String message) {
        super(message);
    }
}
