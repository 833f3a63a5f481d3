package io.finetide.launcher.fuzz;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;

/**
 * After the campaign, the keys it presented (the admin key on nearly every call, a wrong one on some) must appear in
 * none of what the platform wrote: any record of any topic (values and headers, dead letters included), any service's
 * log, any service's metrics.
 */
final class SecretScan {

    private final List<String> secrets;

    SecretScan(List<String> secrets) {
        this.secrets = secrets;
    }

    FuzzReport.Line run(String bootstrap, List<String> topics, Path logs, Map<String, String> metricsUrls)
            throws IOException, InterruptedException {
        FuzzReport.Tally tally = new FuzzReport.Tally("secrets in topics, logs and metrics");
        long[] records = {0};
        try (KafkaConsumer<byte[], byte[]> consumer = TopicRecords.consumer(bootstrap)) {
            for (String topic : topics) {
                TopicRecords.readAll(consumer, topic, r -> {
                    records[0]++;
                    check(tally, r.value(), topic + "@" + r.partition() + ":" + r.offset());
                    for (Header h : r.headers()) {
                        check(tally, h.value(), topic + "@" + r.partition() + ":" + r.offset() + " header " + h
                                .key());
                    }
                });
            }
        }
        tally.count("records", records[0]);
        long files = 0;
        try (Stream<Path> logFiles = Files.list(logs)) {
            for (Path f : logFiles.filter(Files::isRegularFile).toList()) {
                files++;
                check(tally, Files.readAllBytes(f), f.toString());
            }
        }
        tally.count("log files", files);
        HttpClient http = HttpClient.newHttpClient();
        for (Map.Entry<String, String> m : metricsUrls.entrySet()) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(m.getValue())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            check(tally, r.body(), m.getKey() + " metrics");
        }
        tally.count("metrics pages", metricsUrls.size());
        tally.inputs(records[0] + files + metricsUrls.size());
        return tally.line();
    }

    private void check(FuzzReport.Tally tally, byte[] data, String where) {
        if (data == null) {
            return;
        }
        String text = new String(data, StandardCharsets.ISO_8859_1);
        for (String secret : secrets) {
            if (text.contains(secret)) {
                tally.problem("a key in " + where);
            }
        }
    }
}
