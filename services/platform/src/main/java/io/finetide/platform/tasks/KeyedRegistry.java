package io.finetide.platform.tasks;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest value per key of a compacted topic (tasks by name, champions by task), kept in memory. A consumer that
 * may see a key's dependants before the key itself (examples before their task) can wait a bounded time for it.
 */
public final class KeyedRegistry<T> {

    private final Map<String, T> values = new ConcurrentHashMap<>();
    private final Object changed = new Object();

    public void put(String key, T value) {
        values.put(key, value);
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    public void remove(String key) {
        values.remove(key);
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public Collection<T> all() {
        return List.copyOf(values.values());
    }

    /** The value for {@code key}, waiting up to {@code timeout} for it to arrive. */
    public Optional<T> await(String key, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            T v;
            while ((v = values.get(key)) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                try {
                    changed.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
            return Optional.of(v);
        }
    }
}
