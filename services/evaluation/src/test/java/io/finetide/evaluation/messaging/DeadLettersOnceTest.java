package io.finetide.evaluation.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.runtime.messaging.DeadLetterPublisher;
import io.finetide.runtime.store.DeadLetterLedger;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A refused record has one dead letter however often it is refused again (a batch replayed after a crash, before
 * its offsets were committed), including after a crash between raising its partition's mark and sending.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class DeadLettersOnceTest {

    private static final long TIMESTAMP = 1_764_000_000_000L;

    @Inject
    DeadLetterPublisher publisher;

    @Inject
    DeadLetterLedger ledger;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "finetide.topic.deadletter")
    String deadLetterTopic;

    @Test
    void aRefusedRecordIsDeadLetteredOnceHoweverOftenItIsRefusedAgain() {
        String topic = "replayed-" + UUID.randomUUID();
        refuse(topic, 5, 6);
        refuse(topic, 5, 6);
        refuse(topic, 6, 7);
        // A crash after the mark was raised for offset 15 and before its dead letter was sent.
        assertThat(ledger.raiseMark(topic + "/0", 20)).isEqualTo(7);
        refuse(topic, 15);
        refuse(topic, 15, 21);
        refuse(topic, 99);

        Map<Long, Integer> byOffset = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = TestKafka.consumerFromStart(bootstrap, deadLetterTopic)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(consumer, Duration.ofMillis(500))) {
                    if (topic.equals(TestKafka.header(r, DeadLetters.ORIGINAL_TOPIC))) {
                        byOffset.merge(Long.parseLong(TestKafka.header(r, DeadLetters.ORIGINAL_OFFSET)), 1,
                                Integer::sum);
                    }
                }
                return byOffset.containsKey(99L);
            });
        }
        assertThat(byOffset).isEqualTo(Map.of(5L, 1, 6L, 1, 7L, 1, 15L, 1, 21L, 1, 99L, 1));
    }

    @Test
    void aPartitionsMarkOnlyRises() {
        String partition = "marked-" + UUID.randomUUID() + "/3";
        assertThat(ledger.raiseMark(partition, 10)).isEqualTo(DeadLetterLedger.NO_MARK);
        assertThat(ledger.raiseMark(partition, 4)).isEqualTo(10);
        assertThat(ledger.raiseMark(partition, 12)).isEqualTo(10);
        assertThat(ledger.raiseMark(partition, 1)).isEqualTo(12);
    }

    private void refuse(String topic, long... offsets) {
        Map<ConsumerRecord<String, byte[]>, RejectedException> rejected = new LinkedHashMap<>();
        for (long offset : offsets) {
            ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(topic, 0, offset, TIMESTAMP,
                    org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, "k" + offset, ("bad " + offset)
                            .getBytes(StandardCharsets.UTF_8),
                    new org.apache.kafka.common.header.internals.RecordHeaders(),
                    java.util.Optional.empty());
            rejected.put(record, new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "not an event: " + offset));
        }
        publisher.send(rejected);
    }
}
