package io.finetide.training.messaging;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.finetide.proto.v1.TrialEvent;
import io.finetide.runtime.messaging.KafkaMessages;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Hands a trial to an idle training instance. Kafka gives each partition of the trials topic to one member of the
 * training group, and a member runs one trial at a time: a trial sent to a busy member's partition waits behind the
 * running one while another member idles. So the dispatcher asks the group coordinator who holds which partitions and
 * sends the trial to a partition of the member with the fewest trials queued or running (the caller says which
 * partitions are busy). Without an answer (no member yet, the coordinator unreachable) Kafka's own partitioner
 * decides by key.
 */
@ApplicationScoped
public class TrialDispatcher {

    private static final Logger LOG = Logger.getLogger(TrialDispatcher.class);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

    @Inject
    @Channel("trials-out")
    MutinyEmitter<byte[]> trials;

    @Inject
    Config config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    private Admin admin;

    /** @return the partition the trial went to, or -1 when Kafka chose it */
    public int send(TrialEvent trial, Set<Integer> busyPartitions) {
        int partition = idlePartition(busyPartitions).orElse(-1);
        String key = trial.getStudyId() + "/" + trial.getNumber();
        Message<byte[]> m = KafkaMessages.event(key, trial);
        if (partition >= 0) {
            m = m.addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withPartition(partition)
                    .build());
        }
        trials.sendMessageAndAwait(m);
        return partition;
    }

    Optional<Integer> idlePartition(Set<Integer> busy) {
        String topic = config.getValue("mp.messaging.incoming.trials.topic", String.class);
        String group = config.getValue("mp.messaging.incoming.trials.group.id", String.class);
        try {
            ConsumerGroupDescription d = admin().describeConsumerGroups(List.of(group)).all().get(ASK_TIMEOUT
                    .toMillis(), TimeUnit.MILLISECONDS).get(group);
            return choose(d.members(), topic, busy);
        } catch (Exception e) {
            LOG.debugf(e, "cannot describe group %s; Kafka places the trial", group);
            return Optional.empty();
        }
    }

    /** A partition of the least busy member; among equals, the member and partition that sort first. */
    static Optional<Integer> choose(Collection<MemberDescription> members, String topic, Set<Integer> busy) {
        Map<String, List<Integer>> owned = new HashMap<>();
        for (MemberDescription m : members) {
            List<Integer> ps = m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(topic)).map(
                    TopicPartition::partition).sorted().toList();
            if (!ps.isEmpty()) {
                owned.put(m.consumerId(), ps);
            }
        }
        return owned.entrySet().stream().min(Comparator.<Map.Entry<String, List<Integer>>>comparingLong(e -> e
                .getValue().stream().filter(busy::contains).count()).thenComparing(Map.Entry::getKey)).map(e -> e
                        .getValue().stream().filter(p -> !busy.contains(p)).findFirst().orElse(e.getValue().get(0)));
    }

    private synchronized Admin admin() {
        if (admin == null) {
            // The same connection settings as the channels (bootstrap servers, and SASL/TLS where set).
            Map<String, Object> props = new HashMap<>(kafka);
            props.keySet().retainAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
            admin = Admin.create(props);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /** Partitions as a set, for callers holding trial records. */
    public static Set<Integer> partitions(Collection<Integer> ps) {
        return ps.stream().filter(p -> p >= 0).collect(Collectors.toSet());
    }
}
