package io.finetide.ingestion.labeling;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import org.jboss.logging.Logger;

/**
 * Counts by key (a task) read for a gauge, counted on another thread so that reading never waits for the store. A
 * count of a large collection can take seconds (on FerretDB a count is a scan: about ten seconds at 40,000 examples
 * under load), and a gauge computed in the scrape held {@code /q/metrics} for that long, past Prometheus's scrape
 * timeout, and kept the store busy with counts. A key is counted again at most every {@code refreshMillis}, and
 * never sooner than {@value #SPACING} times as long as its last count took: counts that cost more come less often.
 * Until the first count is in, the value is NaN (unknown, not zero).
 */
final class BackgroundCounts {

    /** How many times a count's own duration passes before the key is counted again. */
    static final int SPACING = 10;

    private static final Logger LOG = Logger.getLogger(BackgroundCounts.class);

    private record Count(long value, long atMs, long tookMs) {
    }

    private final Map<String, Count> counts = new ConcurrentHashMap<>();
    private final Set<String> counting = ConcurrentHashMap.newKeySet();
    private final ToLongFunction<String> count;
    private final Executor executor;
    private final LongSupplier clock;
    private final long refreshMillis;

    BackgroundCounts(ToLongFunction<String> count, Executor executor, LongSupplier clock, long refreshMillis) {
        this.count = count;
        this.executor = executor;
        this.clock = clock;
        this.refreshMillis = refreshMillis;
    }

    /** The last count of {@code key} (NaN before the first), starting a new count when it is due. */
    double value(String key) {
        Count c = counts.get(key);
        long now = clock.getAsLong();
        if ((c == null || now - c.atMs() >= Math.max(refreshMillis, SPACING * c.tookMs())) && counting.add(key)) {
            executor.execute(() -> refresh(key));
        }
        return c == null ? Double.NaN : c.value();
    }

    private void refresh(String key) {
        try {
            long start = clock.getAsLong();
            long n = count.applyAsLong(key);
            long end = clock.getAsLong();
            counts.put(key, new Count(n, end, end - start));
        } catch (RuntimeException e) {
            // The last count stays; the next read asks again.
            LOG.debugf(e, "count of %s failed", key);
        } finally {
            counting.remove(key);
        }
    }
}
