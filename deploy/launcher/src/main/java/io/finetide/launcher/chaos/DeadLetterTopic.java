package io.finetide.launcher.chaos;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.finetide.launcher.LocalPlatform;
import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.events.Events;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.LabelledExampleEvent;

/**
 * The dead-letter topic as the campaign reads it: from its beginning, on, each call reading only what arrived since
 * the last. Dead letters of the raw and labels topics are kept by original position with their reasons; those of the
 * labelled topic (refused by preprocessing) by example id.
 */
final class DeadLetterTopic implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final String raw;
    private final String labels;
    private final String labelled;
    private final Map<String, List<String>> byOrigin = new HashMap<>();
    private final Set<String> preparationRefused = new HashSet<>();

    DeadLetterTopic(LocalPlatform platform) {
        this.raw = platform.topic(Topics.EXAMPLES_RAW);
        this.labels = platform.topic(Topics.LABELS);
        this.labelled = platform.topic(Topics.EXAMPLES_LABELLED);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // Ingestion commits its dead letters in transactions with the batch's offsets: a batch aborted (its
        // instance fenced after losing the partition, or killed) and replayed has its dead letters once here.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(p);
        this.partitions = consumer.partitionsFor(platform.topic(Topics.DEAD_LETTER)).stream().map(
                i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The key of a sent record, as dead letters name their original: {@code topic/partition@offset}. */
    static String position(RecordMetadata m) {
        return m.topic() + "/" + m.partition() + "@" + m.offset();
    }

    /** Reads on to the topic's end as it is now. */
    DeadLetterTopic readToEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                String topic = header(r, DeadLetters.ORIGINAL_TOPIC);
                if (raw.equals(topic) || labels.equals(topic)) {
                    byOrigin.computeIfAbsent(topic + "/" + header(r, DeadLetters.ORIGINAL_PARTITION) + "@" + header(
                            r, DeadLetters.ORIGINAL_OFFSET), k -> new ArrayList<>()).add(header(r,
                                    DeadLetters.REASON));
                } else if (labelled.equals(topic)) {
                    preparationRefused.add(Events.parse(r.value(), LabelledExampleEvent::parseFrom).getId());
                }
            }
        }
        return this;
    }

    /** Reasons of the dead letters of each original position read so far. */
    Map<String, List<String>> byOrigin() {
        return byOrigin;
    }

    /** Ids of labelled examples preprocessing refused, read so far. */
    Set<String> preparationRefused() {
        return preparationRefused;
    }

    private static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
