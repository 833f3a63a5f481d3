package io.finetide.launcher.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.launcher.images.ServiceImages.Built;

/**
 * Images from a base tarball and a packaged service, without a daemon: non-root, the fast-jar layout under
 * /deployments, and the same digest when built twice from the same inputs.
 */
class ServiceImagesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theSameInputsGiveTheSameImage() throws Exception {
        Path base = base(dir.resolve("base.tar"));
        Path root = dir.resolve("project");
        Path app = root.resolve("services/ingestion/target/quarkus-app");
        write(app.resolve("quarkus-run.jar"), "runner");
        write(app.resolve("lib/main/dependency.jar"), "a dependency");
        write(app.resolve("lib/boot/boot.jar"), "boot");
        write(app.resolve("app/finetide-ingestion.jar"), "classes");
        write(app.resolve("quarkus/quarkus-application.dat"), "dat");

        Built first = ServiceImages.build(root, base, dir.resolve("one"), "0.1.0", java.util.List.of("ingestion"))
                .get(0);
        Built second = ServiceImages.build(root, base, dir.resolve("two"), "0.1.0", java.util.List.of("ingestion"))
                .get(0);
        assertThat(second.imageId()).isEqualTo(first.imageId());
        assertThat(sha256(second.tarball())).isEqualTo(sha256(first.tarball()));

        Map<String, byte[]> image = entries(first.tarball());
        JsonNode manifest = JSON.readTree(image.get("manifest.json")).get(0);
        assertThat(manifest.path("RepoTags").get(0).asText()).isEqualTo("finetide/ingestion:0.1.0");
        JsonNode config = JSON.readTree(image.get(manifest.path("Config").asText())).path("config");
        assertThat(config.path("User").asText()).isEqualTo("185");
        assertThat(config.path("Entrypoint").toString())
                .isEqualTo("[\"java\",\"-jar\",\"/deployments/quarkus-run.jar\"]");
        assertThat(config.path("ExposedPorts").has("8091/tcp")).isTrue();
        // The base's layer and the service's four, the dependencies apart from the application's own classes.
        assertThat(manifest.path("Layers")).hasSize(5);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (JsonNode layer : manifest.path("Layers")) {
            files.putAll(entries(image.get(layer.asText())));
        }
        assertThat(files).containsKeys("deployments/quarkus-run.jar", "deployments/lib/main/dependency.jar",
                "deployments/app/finetide-ingestion.jar", "etc/os-release");
        assertThat(new String(files.get("deployments/lib/main/dependency.jar"), StandardCharsets.UTF_8)).isEqualTo(
                "a dependency");
    }

    /** A one-layer base in {@code docker save} form. */
    static Path base(Path tar) throws Exception {
        byte[] layer = tar(Map.of("etc/os-release", "ID=test\n".getBytes(StandardCharsets.UTF_8)));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                        layer))
                + "\"]}}";
        String manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"test/base:1\"],\"Layers\":[\"layer.tar\"]}]";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
        files.put("config.json", config.getBytes(StandardCharsets.UTF_8));
        files.put("layer.tar", layer);
        Files.write(tar, tar(files));
        return tar;
    }

    static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                out.putArchiveEntry(e);
                out.write(f.getValue());
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static Map<String, byte[]> entries(Path tar) throws IOException {
        try (InputStream in = Files.newInputStream(tar)) {
            return entries(in.readAllBytes());
        }
    }

    static Map<String, byte[]> entries(byte[] tar) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        InputStream raw = new java.io.ByteArrayInputStream(tar);
        // Jib writes its own layers gzipped.
        if (tar.length > 2 && (tar[0] & 0xff) == 0x1f && (tar[1] & 0xff) == 0x8b) {
            raw = new java.util.zip.GZIPInputStream(raw);
        }
        try (TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (!e.isDirectory()) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    static String sha256(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file); OutputStream sink = OutputStream.nullOutputStream()) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
    }
}
