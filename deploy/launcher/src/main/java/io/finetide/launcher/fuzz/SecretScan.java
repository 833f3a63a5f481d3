package io.finetide.launcher.fuzz;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

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
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
            for (String topic : topics) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(
                        topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        records++;
                        check(tally, r.value(), topic + "@" + r.partition() + ":" + r.offset());
                        for (Header h : r.headers()) {
                            check(tally, h.value(), topic + "@" + r.partition() + ":" + r.offset() + " header " + h
                                    .key());
                        }
                    }
                }
            }
        }
        tally.count("records", records);
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
        tally.inputs(records + files + metricsUrls.size());
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

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
