package io.finetide.launcher.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.Port;

/**
 * Container images of the services and the operator, built with Jib (no Docker daemon, no registry) on a base image
 * given as a {@code docker save} tarball, into image tarballs that {@code podman load}, {@code docker load} or
 * {@code skopeo copy docker-archive:...} take. The layers follow Quarkus's fast-jar: the dependencies (which change
 * least, and for training, evaluation and deployment hold TensorFlow's native library, unpacked to {@code /tmp} at
 * start) apart from the application's own classes. Jib fixes every time stamp and orders every entry, so the same
 * inputs give the same image digest.
 */
public final class ServiceImages {

    /** The deployables with an image, and the port each listens on (k8s/base). */
    public static final Map<String, Integer> PORTS = Map.of("ingestion", 8091, "preprocessing", 8092, "training",
            8093, "evaluation", 8094, "deployment", 8095, "operator", 8096);

    static final AbsoluteUnixPath APP = AbsoluteUnixPath.get("/deployments");

    /** What one build made. */
    public record Built(String deployable, Path tarball, String imageId, String digest) {
    }

    private ServiceImages() {
    }

    /**
     * Builds {@code finetide/<name>:<version>} for each deployable from its {@code target/quarkus-app}.
     *
     * @param base a {@code docker save} tarball (deploy/images/base-image.sh makes one from Debian packages)
     */
    public static List<Built> build(Path projectRoot, Path base, Path out, String version, List<String> deployables)
            throws IOException, InterruptedException {
        Files.createDirectories(out);
        List<Built> built = new ArrayList<>();
        for (String name : deployables) {
            Path app = projectRoot.resolve("services").resolve(name).resolve("target/quarkus-app");
            if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
                throw new IllegalStateException(app + " is not packaged: ./finetide build first");
            }
            Path tarball = out.resolve(name + ".tar");
            JibContainer container = containerize(image(base, app, name), "finetide/" + name + ":" + version,
                    tarball, out.resolve("cache"));
            built.add(new Built(name, tarball, container.getImageId().toString(), container.getDigest().toString()));
        }
        return built;
    }

    static JibContainerBuilder image(Path base, Path app, String name) throws IOException {
        return Jib.from(TarImage.at(base))
                .addFileEntriesLayer(layer("dependencies", app.resolve("lib"), APP.resolve("lib")))
                .addFileEntriesLayer(layer("quarkus", app.resolve("quarkus"), APP.resolve("quarkus")))
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("runner").addEntry(app.resolve(
                        "quarkus-run.jar"), APP.resolve("quarkus-run.jar")).build())
                .addFileEntriesLayer(layer("application", app.resolve("app"), APP.resolve("app")))
                .setEntrypoint("java", "-jar", APP.resolve("quarkus-run.jar").toString())
                .setWorkingDirectory(APP)
                .setUser("185")
                .setExposedPorts(Port.tcp(PORTS.get(name)))
                .setEnvironment(Map.of("QUARKUS_HTTP_HOST", "0.0.0.0", "QUARKUS_HTTP_PORT", Integer.toString(PORTS
                        .get(name))))
                .setLabels(Map.of("org.opencontainers.image.title", "finetide-" + name,
                        "org.opencontainers.image.licenses", "Apache-2.0"))
                .setCreationTime(Instant.EPOCH);
    }

    private static FileEntriesLayer layer(String name, Path source, AbsoluteUnixPath target) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        if (Files.isDirectory(source)) {
            try (var files = Files.walk(source)) {
                for (Path f : files.sorted().toList()) {
                    if (Files.isRegularFile(f)) {
                        layer.addEntry(f, target.resolve(source.relativize(f).toString()));
                    }
                }
            }
        }
        return layer.build();
    }

    private static JibContainer containerize(JibContainerBuilder builder, String reference, Path tarball, Path cache)
            throws IOException, InterruptedException {
        try {
            return builder.containerize(Containerizer.to(TarImage.at(tarball).named(reference))
                    .setBaseImageLayersCache(cache.resolve("base")).setApplicationLayersCache(cache.resolve("app")));
        } catch (InvalidImageReferenceException | RegistryException | CacheDirectoryCreationException
                | ExecutionException e) {
            throw new IOException("cannot build " + reference + ": " + e.getMessage(), e);
        }
    }
}
