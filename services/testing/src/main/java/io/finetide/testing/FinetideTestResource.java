package io.finetide.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.finetide.platform.store.StoreNames;
import io.finetide.platform.topics.TopicProvisioner;
import io.finetide.platform.topics.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} at the real test broker and store, with topics and a database of its own: every topic
 * name gets a fresh suffix, and the database a fresh name. {@link #current()} tells the test what they are.
 */
public class FinetideTestResource implements QuarkusTestResourceLifecycleManager {

    public record Context(String suffix, String bootstrap, String mongoUri, String database, String artifactsDatabase) {
        public String topic(String baseTopic) {
            return baseTopic + "." + suffix;
        }
    }

    private static volatile Context current;

    public static Context current() {
        if (current == null) {
            throw new IllegalStateException("FinetideTestResource has not started");
        }
        return current;
    }

    @Override
    public Map<String, String> start() {
        String suffix = "t" + UUID.randomUUID().toString().substring(0, 8);
        String bootstrap = TestInfrastructure.kafkaBootstrap();
        TopicProvisioner.ensure(bootstrap, TopicProvisioner.platformTopics(suffix), 1, (short) 1);
        String database = "finetide_" + suffix;
        current = new Context(suffix, bootstrap, TestInfrastructure.mongoUri(), database, database + "_artifacts");
        Map<String, String> config = new HashMap<>(Topics.configProperties(suffix));
        config.put("kafka.bootstrap.servers", bootstrap);
        config.put("quarkus.mongodb.connection-string", current.mongoUri());
        config.put("quarkus.mongodb.database", database);
        config.put(StoreNames.ARTIFACTS_DATABASE_KEY, current.artifactsDatabase());
        return config;
    }

    @Override
    public void stop() {
        // Servers are shared by the JVM; topics and database are unique to this test and left for post-mortems.
    }
}
