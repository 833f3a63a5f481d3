package io.finetide.runtime.messaging;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;

import io.finetide.platform.errors.RejectedException;
import io.finetide.runtime.metrics.RuntimeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;

/**
 * Sends refused records to the dead-letter topic (channel {@code dead-letter}), each with its reason, and waits for
 * the broker's acknowledgement: a record is acknowledged on its own topic only once its dead letter is safe.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    @Inject
    MeterRegistry registry;

    @Inject
    @Channel("dead-letter")
    MutinyEmitter<byte[]> deadLetter;

    @ConfigProperty(name = "quarkus.application.name")
    String service;

    public void send(Map<ConsumerRecord<String, byte[]>, RejectedException> rejected) {
        KafkaMessages.sendAll(deadLetter, rejected.entrySet().stream()
                .map(e -> KafkaMessages.deadLetter(e.getKey(), e.getValue(), service)).toList());
        rejected.forEach((record, reason) -> registry
                .counter(RuntimeMetrics.DEAD_LETTERS, "reason", reason.reason().tag(), "topic",
                        record.topic())
                .increment());
    }
}
