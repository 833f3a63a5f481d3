package io.finetide.platform.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the platform's topics if they are missing; safe to call from every service at start. */
public final class TopicProvisioner {

    private TopicProvisioner() {
    }

    /**
     * @param topics topic name to topic-level config
     */
    public static void ensure(String bootstrapServers, Map<String, Map<String, String>> topics, int partitions,
            short replication) {
        ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topics, partitions, replication);
    }

    /**
     * An admin client's settings from a Kafka client's (bootstrap servers, and TLS and SASL where the cluster asks for
     * them): settings only producers or consumers know are left out.
     */
    public static Properties adminSettings(Map<String, ?> client) {
        Properties props = new Properties();
        client.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000);
        return props;
    }

    /**
     * @param client the connection settings of a Kafka client (bootstrap servers, and TLS and SASL where the cluster
     *        asks for them); settings only producers or consumers know are left out
     * @param topics topic name to topic-level config
     */
    public static void ensure(Map<String, ?> client, Map<String, Map<String, String>> topics, int partitions,
            short replication) {
        Object bootstrapServers = client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(adminSettings(client))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            topics.forEach((name, config) -> {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, partitions, replication).configs(config));
                }
            });
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // Another service created the same topic between our list and create: that is the goal.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topics " + names(missing), e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers + " to create topics", e);
        }
    }

    /** All platform topics, each with {@code suffix} appended (empty suffix: the production names). */
    public static Map<String, Map<String, String>> platformTopics(String suffix) {
        Map<String, Map<String, String>> result = new java.util.LinkedHashMap<>();
        for (String t : Topics.ALL) {
            result.put(Topics.withSuffix(t, suffix), Topics.configFor(t));
        }
        return result;
    }

    /** All platform topics under the names the running service is configured with ({@code finetide.topic.*}). */
    public static Map<String, Map<String, String>> configuredTopics(java.util.function.UnaryOperator<String> nameOf) {
        Map<String, Map<String, String>> result = new java.util.LinkedHashMap<>();
        for (String t : Topics.ALL) {
            result.put(nameOf.apply(Topics.configKey(t)), Topics.configFor(t));
        }
        return result;
    }

    private static List<String> names(Collection<NewTopic> topics) {
        return topics.stream().map(NewTopic::name).toList();
    }
}
