package io.finetide.launcher.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;

import io.finetide.launcher.TopicRecords;
import io.finetide.launcher.store.PlatformStores;

/**
 * Looks for secrets (API keys, passwords) where the platform must never put them: the records of its topics (values
 * and headers, dead letters included), its processes' logs, its metrics pages, and its stored artifacts (the model
 * bundles). Each place read is counted, so that a search that read nothing cannot pass unnoticed.
 */
public final class SecretSearch {

    private final List<String> secrets;
    private final List<String> findings = new ArrayList<>();
    private final Map<String, Long> read = new LinkedHashMap<>();

    public SecretSearch(List<String> secrets) {
        this.secrets = List.copyOf(secrets);
    }

    /** @param client the Kafka connection settings */
    public SecretSearch topics(Map<String, Object> client, List<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicRecords.consumer(client)) {
            for (String topic : topics) {
                TopicRecords.readAll(consumer, topic, r -> {
                    String where = topic + "@" + r.partition() + ":" + r.offset();
                    look(r.value(), where);
                    for (Header h : r.headers()) {
                        look(h.value(), where + " header " + h.key());
                    }
                    count("records");
                });
            }
        }
        return this;
    }

    public SecretSearch logs(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                look(Files.readAllBytes(f), f.toString());
                count("log files");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** @param urls what each page is (a service's metrics) to its URL */
    public SecretSearch pages(HttpClient http, Map<String, String> urls) {
        for (Map.Entry<String, String> page : urls.entrySet()) {
            try {
                look(http.send(HttpRequest.newBuilder(URI.create(page.getValue())).build(), HttpResponse.BodyHandlers
                        .ofByteArray()).body(), page.getKey());
                count("pages");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return this;
    }

    /**
     * Every stored artifact of the platform: model bundles, tokenizers, snapshots' files.
     *
     * @param database the platform's database prefix
     */
    public SecretSearch artifacts(String mongoUri, String database) {
        try (PlatformStores stores = new PlatformStores(mongoUri, database)) {
            stores.eachArtifact((name, bytes) -> {
                look(bytes, "artifact " + name);
                count("artifacts");
            });
        }
        return this;
    }

    /** Where a secret was found, one line each; empty: nowhere. */
    public List<String> findings() {
        return List.copyOf(findings);
    }

    /** How many of each kind of place were read. */
    public Map<String, Long> read() {
        return Map.copyOf(read);
    }

    private void count(String kind) {
        read.merge(kind, 1L, Long::sum);
    }

    private void look(byte[] data, String where) {
        if (data == null) {
            return;
        }
        String text = new String(data, StandardCharsets.ISO_8859_1);
        for (int i = 0; i < secrets.size(); i++) {
            if (text.contains(secrets.get(i))) {
                // The secret itself is never repeated: a finding names which one by its place in the list.
                findings.add("secret #" + (i + 1) + " in " + where);
            }
        }
    }
}
