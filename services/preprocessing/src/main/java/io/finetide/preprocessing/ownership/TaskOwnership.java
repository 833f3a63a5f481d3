package io.finetide.preprocessing.ownership;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.utils.Utils;

/**
 * Which tasks this instance prepares: those whose partition of the labelled topic it holds. Ingestion keys every
 * labelled example by its task, so one partition, and one instance of the consumer group, has all of a task's
 * examples; only that instance numbers them, keeps the task's triggers and makes its snapshots. Another instance
 * (production runs two or more) answers from the store and hands what it is asked to do to the owner through it.
 */
@ApplicationScoped
public class TaskOwnership {

    private final Set<Integer> held = ConcurrentHashMap.newKeySet();
    private volatile int partitions;

    /** The partitions of the labelled topic this instance holds now, of {@code partitionCount} in all. */
    public synchronized void holding(Collection<Integer> now, int partitionCount) {
        held.retainAll(now);
        held.addAll(now);
        partitions = partitionCount;
    }

    /** How many partitions the labelled topic has, as the last assignment said (0 before the first). */
    int partitionCount() {
        return partitions;
    }

    /** Partitions lost (this member was taken out of the group). */
    public synchronized void released(Collection<Integer> taken) {
        held.removeAll(taken);
    }

    public boolean owns(String task) {
        int n = partitions;
        return n > 0 && held.contains(partitionOf(task, n));
    }

    /** The partition Kafka's producer puts a record with this key on (murmur2 of the key, as its partitioner does). */
    public static int partitionOf(String key, int partitionCount) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }
}
