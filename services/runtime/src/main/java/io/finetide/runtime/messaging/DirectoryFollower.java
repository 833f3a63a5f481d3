package io.finetide.runtime.messaging;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.tasks.Directory;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.topics.TopicProvisioner;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;

/**
 * Follows the two compacted topics every instance reads whole at start (channels {@code tasks} and
 * {@code champions}, no committed offsets) into the service's {@link Directory}, and tells it when it has taken in
 * the whole tasks topic. A service without those channels (ingestion writes the tasks; deployment decides the
 * champions) leaves this bean out with {@code quarkus.arc.exclude-types}.
 */
@ApplicationScoped
public class DirectoryFollower {

    /** A record of the tasks topic: a definition, or a tombstone (a key without a value) that forgets its task. */
    record TaskRecord(String key, Optional<TaskDefinitionEvent> definition) {
    }

    private static final RecordHandler.Decoder<TaskDefinitionEvent> PARSED = RecordHandler.Decoder.event(
            TaskDefinitionEvent::parseFrom, TaskDefinitionEvent::getMeta);
    /** A definition that parses but breaks the rules ingestion publishes by is refused with its problems. */
    private static final RecordHandler.Decoder<TaskDefinitionEvent> DEFINITIONS = r -> {
        TaskDefinitionEvent t = PARSED.decode(r);
        List<String> problems = TaskDefinitions.problemsAsPublished(t);
        if (!problems.isEmpty()) {
            throw new RejectedException(ReasonCode.INVALID_TASK, "task " + t.getName() + ": " + String.join("; ",
                    problems));
        }
        return t;
    };
    private static final RecordHandler.Decoder<TaskRecord> TASK_RECORDS = r -> r.value() == null && r.key() != null
            ? new TaskRecord(r.key(), Optional.empty())
            : new TaskRecord(r.key(), Optional.of(DEFINITIONS.decode(r)));
    private static final RecordHandler.Decoder<ModelPromotedEvent> PROMOTIONS = RecordHandler.Decoder.event(
            ModelPromotedEvent::parseFrom, ModelPromotedEvent::getMeta);
    /** The directory has no metric of its own: its refusals are counted as every dead letter is. */
    private static final RecordHandler.Rejections COUNTED_AS_DEAD_LETTERS = reason -> {
    };

    private final Directory directory = new Directory();

    /** Per partition of the tasks topic, the offset after the last record taken into the directory. */
    private final Map<TopicPartition, Long> taken = new ConcurrentHashMap<>();

    @Inject
    RecordHandler handler;

    /** The connector's own Kafka settings: TLS and SASL included. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @ConfigProperty(name = "mp.messaging.incoming.tasks.topic")
    String tasksTopic;

    private Admin admin;
    private List<TopicPartition> partitions;

    @Produces
    @Singleton
    Directory directory() {
        return directory;
    }

    @PostConstruct
    void follow() {
        directory.followedBy(this::caughtUp);
    }

    /**
     * Definitions, and tombstones that forget their task, in the order written. A record that cannot be read, or
     * defines a task ingestion would have refused (only ingestion may write the topic, so a corrupted or forged one),
     * goes to the dead-letter topic with its reason like any other, and is behind the directory too: it defines
     * nothing, and the task keeps the definition it had. Batches, because every instance reads the whole
     * topic at each start: a forged burst costs one look at the dead-letter ledger per poll, not one per record.
     */
    @Incoming("tasks")
    @Blocking
    public void tasks(ConsumerRecords<String, byte[]> records) {
        try {
            handler.handleBatch(records, TASK_RECORDS, read -> {
                read.forEach(t -> t.definition().ifPresentOrElse(directory::define, () -> directory.forget(t
                        .key())));
                return Map.of();
            }, COUNTED_AS_DEAD_LETTERS);
        } finally {
            records.forEach(r -> taken.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1,
                    Math::max));
        }
    }

    /** The newest promotion per task is its champion. */
    @Incoming("champions")
    @Blocking
    public void champions(ConsumerRecords<String, byte[]> records) {
        handler.handleBatch(records, PROMOTIONS, promotions -> {
            promotions.forEach(directory::promoted);
            return Map.of();
        }, COUNTED_AS_DEAD_LETTERS);
    }

    /**
     * Whether every record the tasks topic holds now (its ends, asked of the broker) has been taken in; false when the
     * broker does not answer. Asked only for a task the directory does not know, so an admin client of its own (the
     * channel's consumer answers only between its polls, a second apart when the topic is quiet).
     */
    synchronized boolean caughtUp() {
        try {
            if (admin == null) {
                admin = Admin.create(TopicProvisioner.adminSettings(kafka));
            }
            if (partitions == null) {
                partitions = admin.describeTopics(List.of(tasksTopic)).allTopicNames().get(10, TimeUnit.SECONDS)
                        .get(tasksTopic).partitions().stream().map(p -> new TopicPartition(tasksTopic, p
                                .partition()))
                        .toList();
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> begin = offsets(OffsetSpec.earliest());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = offsets(OffsetSpec.latest());
            return partitions.stream().allMatch(tp -> end.get(tp).offset() <= begin.get(tp).offset() || taken
                    .getOrDefault(tp, -1L) >= end.get(tp).offset());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    private Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets(OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
        partitions.forEach(tp -> ask.put(tp, spec));
        return admin.listOffsets(ask).all().get(10, TimeUnit.SECONDS);
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(5));
        }
    }
}
