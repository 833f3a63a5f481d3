package io.finetide.launcher;

import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producer the launcher, its campaigns and the tests write to the platform's topics with: keys as strings,
 * values as the bytes a team would send (JSON or protobuf), every record acknowledged by all in-sync replicas and
 * written once however often the client retries.
 */
public final class Producers {

    private Producers() {
    }

    /** With the platform's client settings: its bootstrap servers, and under TLS the launcher's user. */
    public static KafkaProducer<String, byte[]> bytes(LocalPlatform platform) {
        return bytes(platform.kafkaClientProperties());
    }

    /** @param client the connection settings (bootstrap servers, security); the rest is set here */
    public static KafkaProducer<String, byte[]> bytes(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        return new KafkaProducer<>(p);
    }
}
