package io.finetide.preprocessing.ownership;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.store.StoreRetry;
import io.finetide.preprocessing.preparation.PreparationService;
import io.finetide.preprocessing.store.PreparationStatusStore;

/**
 * The owner's side of {@link PreparationStatus}: each owned task's status written to the store when it changed (at
 * most once a second) and every ten seconds anyway, so that a status a former owner wrote in the moment of a move is
 * soon replaced.
 */
@ApplicationScoped
public class StatusPublication {

    static final long MIN_INTERVAL_MILLIS = 1_000;
    static final long REFRESH_MILLIS = 10_000;

    private record Published(PreparationService.Status status, long atMs) {
    }

    private final Map<String, Published> last = new ConcurrentHashMap<>();

    @Inject
    PreparationStatusStore store;

    /** Called by the owner's trigger round. */
    public void publishIfDue(PreparationService.Status status, long now) {
        Published p = last.get(status.task());
        boolean due = p == null || now - p.atMs() >= REFRESH_MILLIS || (!p.status().equals(status) && now - p
                .atMs() >= MIN_INTERVAL_MILLIS);
        if (due) {
            StoreRetry.run(() -> store.publish(status, now));
            last.put(status.task(), new Published(status, now));
        }
    }
}
