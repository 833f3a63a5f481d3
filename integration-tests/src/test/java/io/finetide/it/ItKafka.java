package io.finetide.it;

import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.finetide.launcher.LocalPlatform;

/** Kafka clients of a test against a local platform: a producer, and watchers of topics from their start. */
public final class ItKafka {

    private ItKafka() {
    }

    /** A consumer of a group of its own, from the start of the platform's {@code baseTopics}. */
    public static KafkaConsumer<String, byte[]> watcher(LocalPlatform platform, String... baseTopics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
        c.subscribe(java.util.Arrays.stream(baseTopics).map(platform::topic).toList());
        return c;
    }
}
