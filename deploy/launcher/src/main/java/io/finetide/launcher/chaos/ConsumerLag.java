package io.finetide.launcher.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import io.finetide.launcher.LocalPlatform;

/**
 * Which consumer groups are behind: a group with members whose committed offset of a partition is short of the
 * partition's end. Groups without members are left out: a killed instance's own group (a per-instance group for
 * broadcasts, named after the instance's UUID) stays behind forever and is nobody's work.
 */
final class ConsumerLag {

    private ConsumerLag() {
    }

    /** The groups behind, each with its lag in records. */
    static Map<String, Long> laggingGroups(LocalPlatform platform) {
        try (Admin admin = Admin.create(platform.kafkaClientProperties())) {
            List<String> ids = admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId)
                    .toList();
            List<String> active = new ArrayList<>();
            for (ConsumerGroupDescription d : admin.describeConsumerGroups(ids).all().get().values()) {
                if (!d.members().isEmpty()) {
                    active.add(d.groupId());
                }
            }
            Map<String, Long> behind = new java.util.TreeMap<>();
            for (String group : active) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                committed.values().removeIf(java.util.Objects::isNull);
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(committed
                        .keySet().stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get();
                long lag = committed.entrySet().stream().mapToLong(c -> Math.max(0, ends.get(c.getKey()).offset() - c
                        .getValue().offset())).sum();
                if (lag > 0) {
                    behind.put(group, lag);
                }
            }
            return behind;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the consumer groups' offsets: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
