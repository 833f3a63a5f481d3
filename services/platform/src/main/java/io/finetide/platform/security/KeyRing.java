package io.finetide.platform.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The keys in force: the configured entries and those of an optional key file, read again when the file changes (a
 * Kubernetes Secret mounted as a volume is updated in place), looked at no more often than {@code checkEvery}. Keys
 * are rotated without a restart: add the new key, move the callers over, remove the old one. A file that no longer
 * reads or parses leaves the keys as they were, and {@code warn} says why.
 */
public final class KeyRing {

    private final ApiKeys configured;
    private final Optional<Path> file;
    private final long checkEveryNanos;
    private final Consumer<String> warn;
    private volatile ApiKeys current;
    private volatile long checkedAt;
    private volatile String fileStamp = "";

    /**
     * @throws IllegalArgumentException when the configured entries, or the file at start, do not parse: a service
     *                                  must not start with keys other than those meant
     */
    public KeyRing(String configured, Optional<Path> file, Duration checkEvery, Consumer<String> warn) {
        this.configured = ApiKeys.parse(configured);
        this.file = file;
        this.checkEveryNanos = checkEvery.toNanos();
        this.warn = warn;
        this.current = this.configured;
        file.ifPresent(f -> {
            if (!reload(f)) {
                throw new IllegalArgumentException("the API key file " + f + " cannot be used (see above)");
            }
        });
        this.checkedAt = System.nanoTime();
    }

    public ApiKeys current() {
        if (file.isPresent() && System.nanoTime() - checkedAt >= checkEveryNanos) {
            synchronized (this) {
                if (System.nanoTime() - checkedAt >= checkEveryNanos) {
                    checkedAt = System.nanoTime();
                    if (!stamp(file.get()).equals(fileStamp)) {
                        reload(file.get());
                    }
                }
            }
        }
        return current;
    }

    private boolean reload(Path f) {
        String stamp = stamp(f);
        try {
            ApiKeys fromFile = ApiKeys.parse(Files.readString(f, StandardCharsets.UTF_8));
            current = configured.and(fromFile);
            fileStamp = stamp;
            return true;
        } catch (IOException | IllegalArgumentException e) {
            fileStamp = stamp;
            warn.accept("the API key file " + f + " was not read again, the keys stay as they were: " + e
                    .getMessage());
            return false;
        }
    }

    /** Modification time and size: a Secret's update replaces the file (a symbolic link is switched). */
    private static String stamp(Path f) {
        try {
            return Files.getLastModifiedTime(f).toMillis() + "/" + Files.size(f) + "/" + f.toRealPath();
        } catch (IOException e) {
            return "missing";
        }
    }
}
