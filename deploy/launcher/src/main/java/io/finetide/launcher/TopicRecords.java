package io.finetide.launcher;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reading topics whole, for campaigns and checks: a consumer of raw bytes outside any group, every record to the end. */
public final class TopicRecords {

    private TopicRecords() {
    }

    public static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        return consumer(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** @param client the connection settings ({@link LocalPlatform#kafkaClient()}: TLS and SASL where used) */
    public static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Dead letters are written in transactions: a record of an aborted one was never sent.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Every record of {@code topic} from its beginning to its end as it is now. */
    public static void readAll(KafkaConsumer<byte[], byte[]> consumer, String topic,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p
                .partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
            consumer.poll(Duration.ofMillis(500)).forEach(each);
        }
    }
}
