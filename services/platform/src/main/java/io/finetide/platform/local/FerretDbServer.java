package io.finetide.platform.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A FerretDB process (MongoDB wire protocol on SQLite) on loopback, for local runs and tests. Production points
 * {@code FINETIDE_MONGODB_URI} at a real MongoDB instead.
 */
public final class FerretDbServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dataDir;

    private FerretDbServer(Process process, int port, Path dataDir) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
    }

    public static FerretDbServer start(Path dataDir, int port, Path logFile) {
        try {
            Files.createDirectories(dataDir);
            Path bin = LocalPaths.ferretDbBinary();
            List<String> cmd = List.of(bin.toString(), "--handler=sqlite", "--sqlite-url=file:" + dataDir + "/",
                    "--state-dir=" + dataDir, "--listen-addr=127.0.0.1:" + port,
                    "--debug-addr=127.0.0.1:" + LocalPaths.freePort(), "--telemetry=disable", "--log-level=warn");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (logFile != null) {
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            } else {
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            Process process = pb.start();
            FerretDbServer server = new FerretDbServer(process, port, dataDir);
            server.awaitListening(Duration.ofSeconds(60));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start FerretDB", e);
        }
    }

    private void awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("FerretDB exited with " + process.exitValue() + " during start");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100); // polling a port that is still closed; nothing to wait on instead
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
        close();
        throw new IllegalStateException("FerretDB did not listen on port " + port + " within " + timeout);
    }

    public String connectionString() {
        return "mongodb://127.0.0.1:" + port + "/";
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
