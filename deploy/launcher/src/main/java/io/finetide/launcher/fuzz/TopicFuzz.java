package io.finetide.launcher.fuzz;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.quicktheories.core.Gen;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.launcher.Producers;
import io.finetide.launcher.TopicRecords;
import io.finetide.platform.errors.DeadLetters;

/**
 * Every topic a service reads, sent {@code inputs} records drawn from a real record of it (truncated, bits flipped,
 * bytes appended) and from JSON: afterwards every consumer group reading it must have caught up (none stopped on a
 * record), and every record dead-lettered from it must carry its reason.
 */
final class TopicFuzz {

    /** SmallRye's own dead-letter headers, for records that failed outside Finetide's handlers. */
    static final String CONNECTOR_REASON = "dead-letter-reason";
    static final String CONNECTOR_TOPIC = "dead-letter-topic";

    private final String bootstrap;
    private final FuzzInputs.Draws draws;
    private final String task;
    private final Consumer<String> say;

    TopicFuzz(String bootstrap, FuzzInputs.Draws draws, String task, Consumer<String> say) {
        this.bootstrap = bootstrap;
        this.draws = draws;
        this.task = task;
        this.say = say;
    }

    /**
     * @param topics the topics to fuzz (their names as the platform uses them)
     * @param deadLetterTopic where refused records go
     * @param jsonExample what a JSON record of a topic read as JSON looks like
     */
    List<FuzzReport.Line> run(List<String> topics, String deadLetterTopic, JsonNode jsonExample, int inputs,
            Duration stall) throws Exception {
        Map<String, FuzzReport.Tally> tallies = new HashMap<>();
        Map<String, Long> deadLettersBefore = deadLetters(deadLetterTopic, Set.copyOf(topics), null);
        try (KafkaProducer<String, byte[]> producer = Producers.bytes(bootstrapOnly())) {
            for (String topic : topics) {
                byte[] sample = lastRecord(topic);
                JsonNode json = sample == null ? null : HttpFuzz.parse(new String(sample, StandardCharsets.UTF_8));
                Gen<byte[]> records = FuzzInputs.record(sample, json != null ? json : jsonExample);
                Gen<String> keys = FuzzInputs.parameter(task);
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < inputs; i++) {
                    sent.add(producer.send(new ProducerRecord<>(topic, draws.next(keys), draws.next(records))));
                }
                FuzzReport.Tally tally = new FuzzReport.Tally("topic " + topic);
                for (Future<RecordMetadata> f : sent) {
                    try {
                        f.get();
                        tally.inputs(1);
                    } catch (ExecutionException e) {
                        // Too large for the broker, say: never reached a consumer, so not an input.
                        tally.count("refused by the broker", 1);
                    }
                }
                tallies.put(topic, tally);
            }
        }
        Map<String, List<String>> behind = waitForConsumers(topics, stall);
        Set<String> noReason = new HashSet<>();
        Map<String, Long> deadLetters = deadLetters(deadLetterTopic, Set.copyOf(topics), noReason);
        List<FuzzReport.Line> lines = new ArrayList<>();
        for (String topic : topics) {
            FuzzReport.Tally tally = tallies.get(topic);
            tally.count("dead-lettered", deadLetters.getOrDefault(topic, 0L) - deadLettersBefore.getOrDefault(topic,
                    0L));
            tally.count("consumer groups", groupsReading(topic));
            for (String lag : behind.getOrDefault(topic, List.of())) {
                tally.problem("a consumer did not catch up: " + lag);
            }
            noReason.stream().filter(n -> n.startsWith(topic + "@")).forEach(n -> tally.problem(
                    "dead letter without its reason: " + n));
            FuzzReport.Line line = tally.line();
            say.accept(line.toString());
            lines.add(line);
        }
        return lines;
    }

    private final Map<String, Set<String>> readers = new HashMap<>();

    private long groupsReading(String topic) {
        return readers.getOrDefault(topic, Set.of()).size();
    }

    /**
     * A service instance's own group (named with the instance's UUID) keeps no offsets: it reads its compacted topic
     * from the beginning at every start, so its committed offsets say nothing; that it still has a member holding the
     * topic's partitions does (a consumer whose channel failed leaves its group).
     */
    static final java.util.regex.Pattern INSTANCE_GROUP = java.util.regex.Pattern.compile(
            ".*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    /**
     * Waits until every group reading the topics has committed their ends (an instance's own group: still holds its
     * partitions), for as long as they make progress: a consumer is stopped, not busy, when the total lag has not
     * gone down for {@code stall}. What is still behind or gone, by topic.
     */
    private Map<String, List<String>> waitForConsumers(List<String> topics, Duration stall) throws Exception {
        long deadline = System.nanoTime() + stall.toNanos();
        long leastLag = Long.MAX_VALUE;
        Map<String, List<String>> behind;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            do {
                behind = new HashMap<>();
                long lag = 0;
                Map<TopicPartition, Long> ends = ends(admin, topics);
                Collection<ConsumerGroupListing> groups = admin.listConsumerGroups().all().get();
                for (ConsumerGroupListing g : groups) {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g.groupId())
                            .partitionsToOffsetAndMetadata().get();
                    Set<TopicPartition> held = new HashSet<>();
                    for (MemberDescription m : admin.describeConsumerGroups(List.of(g.groupId())).all().get().get(g
                            .groupId()).members()) {
                        held.addAll(m.assignment().topicPartitions());
                    }
                    boolean instanceGroup = INSTANCE_GROUP.matcher(g.groupId()).matches();
                    Set<TopicPartition> read = new HashSet<>(held);
                    read.addAll(committed.keySet());
                    for (TopicPartition tp : read) {
                        if (!ends.containsKey(tp)) {
                            continue;
                        }
                        readers.computeIfAbsent(tp.topic(), t -> new HashSet<>()).add(g.groupId());
                        if (instanceGroup) {
                            if (!held.contains(tp)) {
                                behind.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(g.groupId()
                                        + " no longer reads " + tp);
                            }
                            continue;
                        }
                        OffsetAndMetadata at = committed.get(tp);
                        long partitionLag = ends.get(tp) - (at == null ? 0 : at.offset());
                        if (partitionLag > 0) {
                            lag += partitionLag;
                            behind.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(g.groupId() + " on " + tp
                                    + " is " + partitionLag + " behind");
                        }
                    }
                }
                if (behind.isEmpty()) {
                    return behind;
                }
                if (lag < leastLag) {
                    leastLag = lag;
                    deadline = System.nanoTime() + stall.toNanos();
                }
                Thread.sleep(1000);
            } while (System.nanoTime() < deadline);
        }
        return behind;
    }

    private static Map<TopicPartition, Long> ends(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((name, d) -> d.partitions().forEach(p -> ask.put(
                new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(ask).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** Dead letters by their original topic; those without a reason are added to {@code noReason}. */
    private Map<String, Long> deadLetters(String deadLetterTopic, Set<String> topics, Set<String> noReason) {
        Map<String, Long> counts = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicRecords.consumer(bootstrap)) {
            TopicRecords.readAll(consumer, deadLetterTopic, r -> {
                String from = header(r, DeadLetters.ORIGINAL_TOPIC, CONNECTOR_TOPIC);
                if (from == null || !topics.contains(from)) {
                    return;
                }
                counts.merge(from, 1L, Long::sum);
                String reason = header(r, DeadLetters.REASON, CONNECTOR_REASON);
                if (noReason != null && (reason == null || reason.isBlank())) {
                    noReason.add(from + "@" + r.partition() + ":" + r.offset());
                }
            });
        }
        return counts;
    }

    private static String header(ConsumerRecord<?, ?> r, String... names) {
        for (String name : names) {
            Header h = r.headers().lastHeader(name);
            if (h != null && h.value() != null) {
                return new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The newest record of a topic, the seed of its mutations; null when it has none. */
    private byte[] lastRecord(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicRecords.consumer(bootstrap)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(
                    topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            byte[] last = null;
            for (TopicPartition p : partitions) {
                if (ends.get(p) > 0) {
                    consumer.seek(p, ends.get(p) - 1);
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (last == null && ends.values().stream().anyMatch(e -> e > 0) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    last = r.value() != null && r.value().length > 0 ? r.value() : last;
                }
            }
            return last;
        }
    }

    private Properties bootstrapOnly() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }
}
