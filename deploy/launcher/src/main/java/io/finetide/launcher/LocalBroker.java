package io.finetide.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.finetide.launcher.transport.TransportSecurity;

/**
 * The local platform's Kafka broker ({@link KafkaBroker}), its own process: started, and started again on the same
 * data and port after a crash.
 */
final class LocalBroker implements AutoCloseable {

    private final List<String> command;
    private final Path log;
    private final int port;
    private ManagedProcess process;

    private LocalBroker(List<String> command, Path log, int port) {
        this.command = command;
        this.log = log;
        this.port = port;
        this.process = ManagedProcess.start("kafka", command, Map.of(), log);
    }

    /** @param security the TLS settings and users, or null for a plaintext broker */
    static LocalBroker start(Path dir, int port, TransportSecurity security, Path log) {
        List<String> command = new ArrayList<>(List.of(LocalPlatform.javaBin(), "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xmx512m", "-cp", System.getProperty("java.class.path"), KafkaBroker.class
                        .getName(),
                "--port", Integer.toString(port), "--controller-port", Integer.toString(port + 1),
                "--dir", dir.toString()));
        if (security != null) {
            command.addAll(List.of("--security", security.dir().toString()));
        }
        return new LocalBroker(List.copyOf(command), log, port);
    }

    long pid() {
        return process.pid();
    }

    void awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited during start; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                ManagedProcess.pause();
            }
        }
        throw new IllegalStateException("the Kafka broker did not listen on " + port + "; see " + log);
    }

    /** SIGKILL, then the same broker again on its data, as its supervisor would after a crash; waits until it listens. */
    void restart(Duration timeout) {
        process.kill();
        process = ManagedProcess.start("kafka", command, Map.of(), log);
        awaitListening(timeout);
    }

    @Override
    public void close() {
        process.close();
    }
}
