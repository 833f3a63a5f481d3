package io.finetide.preprocessing.trigger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When a task's next snapshot is due. Signals (enough new examples, drift, the schedule, a manual request) open a
 * window of {@code debounceMillis}; every signal that arrives in it joins the same request, which fires when the
 * window closes, and not before {@code minIntervalMillis} after the previous snapshot unless a person asked for it.
 * A signal of a kind already pending replaces its reason (the newest figures win). Pure and clock-driven, so that
 * coalescing can be tested without waiting.
 */
public final class TriggerPolicy {

    public static final String NEW_EXAMPLES = "new-examples";
    public static final String DRIFT = "drift";
    public static final String LIVE_DRIFT = "live-drift";
    public static final String SCHEDULE = "schedule";
    public static final String MANUAL = "manual";

    private final Map<String, String> pending = new LinkedHashMap<>();
    private long windowOpenedAt;
    private long lastFiredAt = Long.MIN_VALUE / 2;

    public synchronized void signal(String kind, String reason, long now) {
        if (pending.isEmpty()) {
            windowOpenedAt = now;
        }
        pending.put(kind, reason);
    }

    /** The reasons of a request that is due now, clearing it; empty while nothing is due. */
    public synchronized Optional<Map<String, String>> poll(long now, long debounceMillis, long minIntervalMillis) {
        if (pending.isEmpty() || now < windowOpenedAt + debounceMillis) {
            return Optional.empty();
        }
        if (!pending.containsKey(MANUAL) && now < lastFiredAt + minIntervalMillis) {
            return Optional.empty();
        }
        Map<String, String> reasons = new LinkedHashMap<>(pending);
        pending.clear();
        lastFiredAt = now;
        return Optional.of(reasons);
    }

    /** A snapshot made at {@code at} (at start: the newest one in the store) counts for the minimum interval. */
    public synchronized void firedAt(long at) {
        lastFiredAt = Math.max(lastFiredAt, at);
    }

    public synchronized long lastFiredAt() {
        return lastFiredAt;
    }

    public synchronized Map<String, String> pending() {
        return Map.copyOf(pending);
    }
}
