package io.finetide.runtime;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Background timers of the services: one named daemon thread each, so that they never keep a JVM alive. */
public final class DaemonScheduler {

    private DaemonScheduler() {
    }

    public static ScheduledExecutorService single(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }
}
