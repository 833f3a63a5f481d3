package io.finetide.platform.errors;

/** A record or request that is invalid for a stated reason; never retried, always dead-lettered or answered 4xx. */
public class RejectedException extends RuntimeException {

    private final ReasonCode reason;

    public RejectedException(ReasonCode reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public ReasonCode reason() {
        return reason;
    }
}
