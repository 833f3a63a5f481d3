package io.finetide.runtime.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Gauges whose value is set, not sampled from an object: the latest drift figure, a run's step. Micrometer's gauges
 * read a value through a weak reference; these hold it here, one per name and tags, for the registry's life. One per
 * service, shared by its metrics classes.
 */
@Singleton
public class GaugeValues {

    @Inject
    MeterRegistry registry;

    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    public void set(String name, Tags tags, double value) {
        values.computeIfAbsent(name + tags, k -> {
            AtomicLong bits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
            Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get())).tags(tags).strongReference(true)
                    .register(registry);
            return bits;
        }).set(Double.doubleToLongBits(value));
    }

    /** Removes the gauge: an info gauge whose tags changed (the serving model) must not leave the old series. */
    public void remove(String name, Tags tags) {
        if (values.remove(name + tags) != null) {
            registry.find(name).tags(tags).meters().forEach(registry::remove);
        }
    }
}
