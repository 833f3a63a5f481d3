package io.finetide.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child process of the launcher with its log file; stopped politely, then forcibly. */
public final class ManagedProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            return new ManagedProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Polls {@code url} until it answers 200, failing early if the process dies. */
    public void awaitHttpOk(String url, Duration timeout) {
        awaitHttpOk(url, timeout, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build());
    }

    /** @param client how to reach the URL (under TLS: one that trusts the platform's certificate) */
    public void awaitHttpOk(String url, Duration timeout, HttpClient client) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            pause();
        }
        throw new IllegalStateException(name + " not ready at " + url + " within " + timeout + "; see " + log);
    }

    public static void pause() {
        pause(Duration.ofMillis(250));
    }

    /** Between two looks at another process (its files, its answers, its topics): there is nothing to wait on. */
    public static void pause(Duration interval) {
        try {
            Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Appends the process's thread dump to its log ({@code jcmd Thread.print}, for a JVM): what a process that stopped
     * making progress was waiting on, kept before it is stopped.
     */
    public void dumpThreads() {
        if (!process.isAlive()) {
            return;
        }
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long
                    .toString(pid()), "Thread.print").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect
                            .appendTo(log.toFile()))
                    .start();
            if (!jcmd.waitFor(1, TimeUnit.MINUTES)) {
                jcmd.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot dump the threads of " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGKILL, as an out-of-memory killer or a node failure would: no shutdown hooks, nothing flushed. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
