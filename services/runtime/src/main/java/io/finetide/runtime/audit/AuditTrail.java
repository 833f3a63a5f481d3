package io.finetide.runtime.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.runtime.store.AuditStore;

/**
 * The audit log's entries for what the platform does by itself: a promotion a passing verdict decided, a rollout's
 * candidate taken into service, a rollback that live feedback forced. Admin calls are written by {@link AuditFilter};
 * these have no call, so they are written where the action is taken, once (after the store has recorded the change,
 * which only one replica does).
 */
@ApplicationScoped
public class AuditTrail {

    /** The actor of what the platform does by itself. */
    public static final String AUTOMATIC = "automatic";
    /** The status of an action the platform took: it was done (an HTTP status, as for calls). */
    static final int DONE = 200;

    private static final Logger LOG = Logger.getLogger(AuditTrail.class);

    @Inject
    Instance<AuditStore> store;

    /**
     * @param action what was done, with the model it was done to ({@code PROMOTE <modelId>})
     * @param reason why: the verdict's or the judge's own words
     */
    public void automatic(String action, String task, String reason) {
        record(new AuditEntry(AUTOMATIC, action, task, reason, DONE, System.currentTimeMillis()));
    }

    /** Stores an entry: an automatic action's, or an admin call's ({@link AuditFilter}). */
    public void record(AuditEntry entry) {
        if (!store.isResolvable()) {
            return; // a service run without a store keeps no audit log
        }
        try {
            store.get().insert(entry);
        } catch (RuntimeException e) {
            // The action is done; an entry the store refused is at least in the log, with everything but the key.
            LOG.errorf(e, "audit entry not stored: %s", entry);
        }
    }
}
