package io.finetide.runtime.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.platform.tasks.Directory;

/**
 * Follows the two compacted topics every instance reads whole at start (channels {@code tasks} and
 * {@code champions}, no committed offsets) into the service's {@link Directory}. A service without those channels
 * (ingestion writes the tasks; deployment decides the champions) leaves this bean out with
 * {@code quarkus.arc.exclude-types}.
 */
@ApplicationScoped
public class DirectoryFollower {

    private final Directory directory = new Directory();

    @Produces
    @Singleton
    Directory directory() {
        return directory;
    }

    /** A definition, or a tombstone that forgets the task. */
    @Incoming("tasks")
    public void task(ConsumerRecord<String, byte[]> record) {
        directory.onTaskRecord(record.key(), record.value());
    }

    /** The newest promotion per task is its champion. */
    @Incoming("champions")
    public void champion(ConsumerRecord<String, byte[]> record) {
        directory.onChampionRecord(record.value());
    }
}
