package io.finetide.platform.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where a local (non-Kubernetes) run finds the project and its tools. */
public final class LocalPaths {

    private LocalPaths() {
    }

    /**
     * The project root: system property {@code finetide.root}, env {@code FINETIDE_ROOT}, or the first parent of the
     * working directory that holds {@code mvnw} and {@code proto/}.
     */
    public static Path projectRoot() {
        String configured = System.getProperty("finetide.root", System.getenv("FINETIDE_ROOT"));
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("proto"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("cannot find the Finetide project root; set FINETIDE_ROOT");
    }

    /** The FerretDB binary: env {@code FINETIDE_FERRETDB_BIN}, else {@code .tools/bin/ferretdb} under the root. */
    public static Path ferretDbBinary() {
        String configured = System.getenv("FINETIDE_FERRETDB_BIN");
        Path bin = configured != null && !configured.isBlank()
                ? Paths.get(configured)
                : projectRoot().resolve(".tools/bin/ferretdb");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(
                    "FerretDB not found at " + bin + ": run './finetide tools' (or set FINETIDE_MONGODB_URI)");
        }
        return bin;
    }

    /**
     * The first of {@code count} consecutive ports that can all be bound now, below Linux's ephemeral range
     * (32768-60999), where client sockets take their local ports: a port picked there can be taken by an outgoing
     * connection between the check and the server's bind.
     */
    public static int freePortBlock(int count) {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = 20_000 + random.nextInt(12_000 - count);
            boolean free = true;
            for (int p = first; p < first + count && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IllegalStateException("no block of " + count + " free ports between 20000 and 32000");
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails unless nothing listens on each of {@code ports} (another Finetide, most likely, if something does). */
    public static void requireFree(int... ports) {
        for (int port : ports) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                throw new IllegalStateException("port " + port + " is in use: is another Finetide running?");
            } catch (IOException free) {
                // Nothing listens there: good.
            }
        }
    }
}
