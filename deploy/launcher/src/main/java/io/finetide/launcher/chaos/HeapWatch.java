package io.finetide.launcher.chaos;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.finetide.launcher.ManagedProcess;
import io.finetide.launcher.PlatformClient;

/**
 * Samples the heap of each service instance (Micrometer's {@code jvm_memory_used_bytes} and
 * {@code jvm_memory_max_bytes} for the heap areas) several times a second while the campaign runs, keeping each one's
 * peak: what a burst far above the sustained rate did to memory. An instance being killed or started is skipped.
 */
final class HeapWatch implements AutoCloseable {

    /** An instance's highest heap use seen and its heap's limit, in bytes. */
    record Peak(long used, long max) {
    }

    private final Map<String, Peak> peaks = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stop;

    HeapWatch(PlatformClient client, List<String> instances) {
        thread = new Thread(() -> {
            while (!stop) {
                for (String instance : instances) {
                    try {
                        String page = client.getText(instance, "/q/metrics");
                        long used = heap(page, "jvm_memory_used_bytes");
                        long max = heap(page, "jvm_memory_max_bytes");
                        peaks.merge(instance, new Peak(used, max), (a, b) -> a.used() >= b.used() ? a : b);
                    } catch (RuntimeException down) {
                        // Killed or starting: nothing to read now.
                    }
                }
                ManagedProcess.pause();
            }
        }, "heap-watch");
        thread.setDaemon(true);
        thread.start();
    }

    Map<String, Peak> peaks() {
        return Map.copyOf(peaks);
    }

    /** The sum over the heap's memory pools of a Prometheus gauge. */
    static long heap(String page, String metric) {
        double sum = 0;
        for (String line : page.split("\n")) {
            if (line.startsWith(metric + "{") && line.contains("area=\"heap\"")) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                sum += v > 0 ? v : 0; // a pool without a limit says -1
            }
        }
        return (long) sum;
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
