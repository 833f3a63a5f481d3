package io.finetide.launcher.chaos;

import java.time.Duration;
import java.util.Map;

/**
 * What the stream did to the services: it is sent as fast as the producer goes, far above the rate they take it
 * at (with kills in between), so it is a burst of {@link #factor()} times their sustained rate.
 *
 * @param sending    from the first record sent to the last acknowledged
 * @param processing from the first record sent to the last stored (the marker)
 */
record Load(long records, Duration sending, Duration processing, Map<String, HeapWatch.Peak> heap,
        long outOfMemory) {

    double factor() {
        return (double) processing.toMillis() / Math.max(1, sending.toMillis());
    }

    void into(Accounting a) {
        a.expect("services that ran out of memory (OutOfMemoryError in a log)", 0, outOfMemory);
        a.note(String.format("load: %,d records sent in %.1f s (%,.0f/s), taken in %.1f s (%,.0f/s): a burst of "
                + "%.1fx the sustained rate", records, sending.toMillis() / 1e3,
                records * 1e3 / Math.max(1,
                        sending.toMillis()),
                processing.toMillis() / 1e3, records * 1e3 / Math.max(1, processing
                        .toMillis()),
                factor()));
        a.note("peak heap: " + new java.util.TreeMap<>(heap).entrySet().stream().map(e -> String.format(
                "%s %d of %d MB", e.getKey(), e.getValue().used() >> 20, e.getValue().max() >> 20)).collect(
                        java.util.stream.Collectors.joining(", ")));
    }
}
