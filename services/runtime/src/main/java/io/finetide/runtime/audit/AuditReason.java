package io.finetide.runtime.audit;

import jakarta.enterprise.context.RequestScoped;

/** The reason an administrative call gives (a rollback's, a deletion's), handed by its resource to the audit log. */
@RequestScoped
public class AuditReason {

    private String reason = "";

    public void is(String reason) {
        this.reason = reason == null ? "" : reason;
    }

    String get() {
        return reason;
    }
}
