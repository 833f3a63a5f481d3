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

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
