package io.finetide.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.PlatformClient;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.platform.events.Events;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.tasks.TaskRevisions;
import io.finetide.platform.text.CleaningPipeline;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TriggerSpec;

/**
 * Preprocessing throughput, side by side in one run on one machine: the preprocessing service as its own process
 * (labelled topic in; cleaned, split, tokenised, stored in FerretDB and emitted on the prepared topic out) against the
 * same texts through the tokenizer alone and through cleaning plus tokenizer in this JVM. Then the time to build,
 * and to build again and verify, a snapshot of everything.
 */
final class PreprocessingBenchmark extends StageBenchmark {

    private static final String TASK = "bench-pp";

    PreprocessingBenchmark(Path root, Path data, int examples, int warmup, Consumer<String> say) {
        super(root, data, examples, warmup, say);
    }

    @Override
    String run() throws Exception {
        List<String> texts = sentences();
        LocalPlatform.Options options = LocalPlatform.Options.isolated(root, root.resolve(".run/bench-preprocessing"))
                .only(List.of("preprocessing"));
        Bench.deleteTree(options.workDir());
        double serviceRate;
        double snapshotSeconds;
        double verifySeconds;
        long snapshotExamples;
        try (LocalPlatform platform = LocalPlatform.start(options, say);
                KafkaProducer<String, byte[]> producer = producer(platform.bootstrap())) {
            PlatformClient client = new PlatformClient(platform);
            TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent
                    .newBuilder().setName(TASK).addLabels("negative").addLabels("positive")
                    .setTriggerMinNewExamples(Integer.MAX_VALUE).setTriggers(TriggerSpec.newBuilder()
                            .setDebounceMillis(1).setMinIntervalSeconds(1))
                    .build()), System.currentTimeMillis());
            producer.send(new ProducerRecord<>(platform.topic(Topics.TASKS), TASK, task.toByteArray())).get();

            say.accept(String.format("warm-up: %,d examples", warmup));
            send(producer, platform, texts, 0, warmup);
            awaitPrepared(client, platform, warmup);

            say.accept(String.format("measured: %,d examples through the service", examples));
            long t0 = System.nanoTime();
            send(producer, platform, texts, warmup, examples);
            awaitPrepared(client, platform, warmup + examples);
            serviceRate = examples / ((System.nanoTime() - t0) / 1e9);

            long s0 = System.nanoTime();
            client.post("preprocessing", "/api/v1/tasks/" + TASK + "/snapshots", "");
            JsonNode snapshot = awaitSnapshot(client);
            snapshotSeconds = (System.nanoTime() - s0) / 1e9;
            snapshotExamples = snapshot.get("train").asLong() + snapshot.get("validation").asLong() + snapshot.get(
                    "test").asLong();
            long v0 = System.nanoTime();
            JsonNode verified = client.get("preprocessing", "/api/v1/tasks/" + TASK + "/snapshots/" + snapshot.get(
                    "id").asText() + "/verify").body();
            verifySeconds = (System.nanoTime() - v0) / 1e9;
            if (!verified.get("identical").asBoolean()) {
                throw new IllegalStateException("snapshot did not materialise identically: " + verified);
            }
        }

        List<String> measured = new ArrayList<>();
        for (int i = 0; i < examples; i++) {
            measured.add(texts.get((warmup + i) % texts.size()));
        }
        CleaningPipeline cleaning = CleaningPipeline.of(List.of());
        double tokenizerRate;
        double cleanAndTokenizeRate;
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 512)) {
            // A warm-up pass, then three interleaved rounds of each; the median round counts.
            rate(measured, t -> tokenizer.analyse(cleaning.clean(t)));
            double[] tok = new double[3];
            double[] both = new double[3];
            for (int round = 0; round < 3; round++) {
                tok[round] = rate(measured, t -> tokenizer.analyse(t));
                both[round] = rate(measured, t -> tokenizer.analyse(cleaning.clean(t)));
            }
            java.util.Arrays.sort(tok);
            java.util.Arrays.sort(both);
            tokenizerRate = tok[1];
            cleanAndTokenizeRate = both[1];
        }

        return String.format(Locale.ROOT,
                """
                        | measure (%,d SST-2 sentences, %d cores) | examples/s | ratio to the tokenizer alone |
                        |---|---:|---:|
                        | tokenizer alone (MiniLM-L6 `tokenizer.json`, one thread, this JVM) | %,.0f | 1.00 |
                        | cleaning (default pipeline) + tokenizer, one thread, this JVM | %,.0f | %.2f |
                        | preprocessing service: labelled topic → cleaned, split, tokenised, stored (FerretDB), emitted | %,.0f | %.3f |

                        Snapshot of all %,d prepared examples (manual trigger to announced manifest): %.2f s; built again from
                        the store and verified by SHA-256: %.2f s.
                        """,
                examples, Runtime.getRuntime().availableProcessors(), tokenizerRate, cleanAndTokenizeRate,
                cleanAndTokenizeRate / tokenizerRate, serviceRate, serviceRate / tokenizerRate, snapshotExamples,
                snapshotSeconds, verifySeconds);
    }

    private static double rate(List<String> texts, Consumer<String> work) {
        long t0 = System.nanoTime();
        for (String t : texts) {
            work.accept(t);
        }
        return texts.size() / ((System.nanoTime() - t0) / 1e9);
    }

    private void send(KafkaProducer<String, byte[]> producer, LocalPlatform platform, List<String> texts, int from,
            int n) {
        String topic = platform.topic(Topics.EXAMPLES_LABELLED);
        for (int i = from; i < from + n; i++) {
            LabelledExampleEvent e = LabelledExampleEvent.newBuilder().setMeta(Events.meta(TASK)).setId("b-" + i)
                    .setText(texts.get(i % texts.size())).setLabel(i % 2 == 0 ? "positive" : "negative").build();
            producer.send(new ProducerRecord<>(topic, TASK, e.toByteArray()));
        }
        producer.flush();
    }

    /** Until the service has stored {@code n} examples and emitted them on the prepared topic. */
    private void awaitPrepared(PlatformClient client, LocalPlatform platform, long n) throws InterruptedException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            String prepared = platform.topic(Topics.EXAMPLES_PREPARED);
            List<TopicPartition> partitions = c.partitionsFor(prepared).stream().map(i -> new TopicPartition(prepared,
                    i.partition())).toList();
            c.assign(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode status = client.get("preprocessing", "/api/v1/tasks/" + TASK + "/preparation").body();
                long stored = status == null || status.get("sequence") == null ? 0 : status.get("sequence").asLong();
                long emitted = c.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
                if (stored >= n && emitted >= n) {
                    return;
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("preprocessing did not reach " + n + " examples in 10 minutes");
    }

    private static JsonNode awaitSnapshot(PlatformClient client) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode list = client.get("preprocessing", "/api/v1/tasks/" + TASK + "/snapshots").body();
            if (list != null && list.size() > 0) {
                return list.get(0);
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no snapshot within 10 minutes");
    }
}
