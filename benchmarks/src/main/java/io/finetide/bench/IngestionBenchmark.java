package io.finetide.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.bench.store.StoreAlone;
import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.PlatformClient;
import io.finetide.platform.topics.Topics;

/**
 * Ingestion throughput against the raw rate of the same broker, in one run: the Kafka Java producer alone writing the
 * same JSON records to a scratch topic (acks=all, the same partition count), then the ingestion service as its own
 * process taking them from {@code finetide.examples.raw} to stored (FerretDB) and emitted
 * ({@code finetide.examples.labelled}), with validation and de-duplication on.
 */
final class IngestionBenchmark extends StageBenchmark {

    private static final String TASK = "bench-in";
    private static final ObjectMapper JSON = new ObjectMapper();

    IngestionBenchmark(Path root, Path data, int examples, int warmup, Consumer<String> say) {
        super(root, data, examples, warmup, say);
    }

    @Override
    String run() throws Exception {
        List<String> texts = sentences();
        LocalPlatform.Options options = LocalPlatform.Options.isolated(root, root.resolve(".run/bench-ingestion"))
                .only(List.of("ingestion"));
        Bench.deleteTree(options.workDir());
        double producerRate;
        double serviceRate;
        double storeRate;
        try (LocalPlatform platform = LocalPlatform.start(options, say);
                KafkaProducer<String, byte[]> producer = producer(platform.bootstrap())) {
            PlatformClient client = new PlatformClient(platform);
            PlatformClient.Answer created = client.post("ingestion", "/api/v1/tasks", Map.of("name", TASK, "labels",
                    List.of("negative", "positive")));
            if (created.status() != 201) {
                throw new IllegalStateException("task creation answered " + created.status());
            }
            String scratch = "bench.producer-only";
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform
                    .bootstrap()))) {
                admin.createTopics(List.of(new NewTopic(scratch, options.partitions(), (short) 1))).all().get();
            }
            say.accept(String.format("Kafka producer alone: %,d records to %s", warmup + examples, scratch));
            send(producer, scratch, texts, 0, warmup);
            long p0 = System.nanoTime();
            send(producer, scratch, texts, warmup, examples);
            producerRate = examples / ((System.nanoTime() - p0) / 1e9);

            String raw = platform.topic(Topics.EXAMPLES_RAW);
            say.accept(String.format("ingestion: warm-up %,d, then %,d records", warmup, examples));
            send(producer, raw, texts, 0, warmup);
            awaitIngested(client, platform, warmup);
            long t0 = System.nanoTime();
            send(producer, raw, texts, warmup, examples);
            awaitIngested(client, platform, warmup + examples);
            serviceRate = examples / ((System.nanoTime() - t0) / 1e9);

            say.accept(String.format("FerretDB alone: %,d documents of the service's shape, insertMany by 500",
                    examples));
            storeRate = StoreAlone.rate(platform.mongoUri(), TASK, texts, examples);
        }
        return String.format(Locale.ROOT,
                """
                        | measure (%,d JSON records of SST-2 sentences, %d cores) | records/s | ratio to the producer alone |
                        |---|---:|---:|
                        | Kafka Java producer alone (acks=all, linger 5 ms, same broker, %d partitions) | %,.0f | 1.00 |
                        | ingestion service: raw topic → validated, de-duplicated, stored (FerretDB), emitted | %,.0f | %.3f |
                        | the store alone: the same number of documents, insertMany by 500 (the service's batch) | %,.0f | %.3f |
                        """,
                examples, Runtime.getRuntime().availableProcessors(), 3, producerRate, serviceRate, serviceRate
                        / producerRate,
                storeRate, storeRate / producerRate);
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, List<String> texts, int from, int n)
            throws Exception {
        for (int i = from; i < from + n; i++) {
            // Distinct texts (the service drops exact duplicates): the sentence plus its number.
            byte[] json = JSON.writeValueAsString(Map.of("id", "r-" + i, "task", TASK, "text", texts.get(i % texts
                    .size()) + " #" + i, "label", i % 2 == 0 ? "positive" : "negative")).getBytes(
                            StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topic, "r-" + i, json));
        }
        producer.flush();
    }

    /** Until the service has stored {@code n} examples and emitted them. */
    private static void awaitIngested(PlatformClient client, LocalPlatform platform, long n) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            String labelled = platform.topic(Topics.EXAMPLES_LABELLED);
            List<TopicPartition> partitions = c.partitionsFor(labelled).stream().map(i -> new TopicPartition(
                    labelled, i.partition())).toList();
            c.assign(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (System.nanoTime() < deadline) {
                double stored = 0;
                for (String line : client.getText("ingestion", "/q/metrics").split("\n")) {
                    if (line.startsWith("finetide_ingestion_examples_stored_total")) {
                        stored += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
                long emitted = c.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
                if (stored >= n && emitted >= n) {
                    return;
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("ingestion did not reach " + n + " records in 10 minutes");
    }
}
