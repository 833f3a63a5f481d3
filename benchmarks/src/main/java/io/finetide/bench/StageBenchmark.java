package io.finetide.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.finetide.launcher.DemoDriver;

/** What the stage benchmarks share: where things are, how much to send, the texts, the producer. */
abstract class StageBenchmark {

    final Path root;
    final Path data;
    final int examples;
    final int warmup;
    final Consumer<String> say;

    StageBenchmark(Path root, Path data, int examples, int warmup, Consumer<String> say) {
        this.root = root;
        this.data = data;
        this.examples = examples;
        this.warmup = warmup;
        this.say = say;
    }

    abstract String run() throws Exception;

    /** All SST-2 sentences (train, dev, test), about 9,600; benchmarks cycle through them. */
    List<String> sentences() {
        List<String> texts = new ArrayList<>();
        for (String f : List.of("stsa.binary.train", "stsa.binary.dev", "stsa.binary.test")) {
            DemoDriver.read(data.resolve(f), "x").forEach(e -> texts.add(e.text()));
        }
        return texts;
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5));
    }
}
