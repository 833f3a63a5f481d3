package io.finetide.launcher.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.finetide.platform.topics.Topics;

/**
 * The production overlay's Strimzi resources, generated from the code: a {@code KafkaTopic} per topic of
 * {@link Topics#ALL} with the configuration the services would give it themselves ({@link Topics#configFor}), and a
 * {@code KafkaUser} per deployable with ACLs for exactly the topics its channels read and write and the consumer groups
 * they use ({@link ServiceChannels}).
 */
public final class StrimziResources {

    /** The Kafka cluster's name in the overlays (its bootstrap Service is {@code finetide-kafka-bootstrap}). */
    public static final String CLUSTER = "finetide";
    /**
     * Partitions per topic: each is keyed by task, so a task's records keep their order whatever the count; six lets
     * up to six replicas of a consumer share the work (the HPAs' maximum).
     */
    public static final int PARTITIONS = 6;
    public static final int REPLICAS = 3;

    private StrimziResources() {
    }

    public static String topics() {
        StringBuilder y = new StringBuilder("""
                # Generated from Topics.ALL and Topics.configFor by StrimziResources (./finetide k8s-resources); the
                # launcher's KubernetesResourcesTest fails when this file differs. Replication and min.insync.replicas
                # come from the Kafka resource (3 and 2).
                """);
        for (String topic : Topics.ALL) {
            y.append("---\napiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\nmetadata:\n  name: ").append(topic
                    .replace('.', '-')).append("\n  labels:\n    strimzi.io/cluster: ").append(CLUSTER).append(
                            "\nspec:\n  topicName: ")
                    .append(topic).append("\n  partitions: ").append(PARTITIONS)
                    .append("\n  replicas: ").append(REPLICAS).append('\n');
            Map<String, String> config = new TreeMap<>(Topics.configFor(topic));
            if (!config.isEmpty()) {
                y.append("  config:\n");
                config.forEach((k, v) -> y.append("    ").append(k).append(": \"").append(v).append("\"\n"));
            }
        }
        return y.toString();
    }

    public static String users(List<ServiceChannels> deployables) {
        StringBuilder y = new StringBuilder("""
                # Generated from each deployable's channels (its application.properties) by StrimziResources
                # (./finetide k8s-resources); the launcher's KubernetesResourcesTest fails when this file differs.
                # Each user may read exactly the topics its incoming channels name, with its consumer groups, and write
                # exactly those of its outgoing channels (and the dead-letter topic, where its connector sends
                # failures). The user operator writes each one's credentials into a Secret of the same name.
                """);
        for (ServiceChannels d : deployables) {
            y.append("---\napiVersion: kafka.strimzi.io/v1\nkind: KafkaUser\nmetadata:\n  name: finetide-").append(d
                    .name()).append("\n  labels:\n    strimzi.io/cluster: ").append(CLUSTER).append(
                            "\nspec:\n  authentication:\n    type: scram-sha-512\n  authorization:\n    type: simple\n"
                                    + "    acls:\n");
            for (Acl acl : acls(d)) {
                y.append("      - resource:\n          type: ").append(acl.type()).append("\n          name: ").append(
                        acl.name()).append("\n          patternType: ").append(acl.pattern()).append(
                                "\n        operations: [")
                        .append(String.join(", ", acl.operations())).append("]\n");
            }
        }
        return y.toString();
    }

    /** One ACL entry of a user. */
    public record Acl(String type, String name, String pattern, List<String> operations) {
    }

    public static List<Acl> acls(ServiceChannels d) {
        Map<String, List<String>> topics = new TreeMap<>();
        for (String t : d.reads()) {
            topics.computeIfAbsent(t, k -> new ArrayList<>()).add("Read");
        }
        for (String t : d.writes()) {
            topics.computeIfAbsent(t, k -> new ArrayList<>()).add("Write");
        }
        List<Acl> acls = new ArrayList<>();
        topics.forEach((topic, ops) -> {
            List<String> all = new ArrayList<>(ops);
            all.add("Describe");
            acls.add(new Acl("topic", topic, "literal", all));
        });
        for (String g : d.groups()) {
            acls.add(new Acl("group", g, "literal", List.of("Read")));
        }
        for (String g : d.prefixes()) {
            acls.add(new Acl("group", g, "prefix", List.of("Read")));
        }
        for (String t : d.transactionalIds()) {
            acls.add(new Acl("transactionalId", t, "prefix", List.of("Write", "Describe")));
        }
        return acls;
    }
}
