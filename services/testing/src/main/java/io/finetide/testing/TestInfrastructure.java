package io.finetide.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import io.finetide.platform.local.FerretDbServer;
import io.finetide.platform.local.LocalPaths;

/**
 * One real Kafka broker (Kafka's own test kit, KRaft, in this JVM) and one FerretDB process per test JVM, started on
 * first use and stopped at JVM exit. Tests isolate themselves by topic suffix and database name, not by servers.
 * {@code FINETIDE_MONGODB_URI} replaces FerretDB with any MongoDB.
 */
public final class TestInfrastructure {

    private static KafkaClusterTestKit kafka;
    private static FerretDbServer ferretDb;
    private static String mongoUri;

    private TestInfrastructure() {
    }

    public static synchronized String kafkaBootstrap() {
        if (kafka == null) {
            // A broker that fails while the JVM shuts down would halt it with a non-zero status, which the test
            // runner reports as a crashed fork after the tests passed; Kafka's own tests replace exit and halt too.
            org.apache.kafka.common.utils.Exit.setExitProcedure((status, message) -> System.err.println(
                    "Kafka test broker asked to exit (" + status + "): " + message));
            org.apache.kafka.common.utils.Exit.setHaltProcedure((status, message) -> System.err.println(
                    "Kafka test broker asked to halt (" + status + "): " + message));
            try {
                KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("num.partitions", "1")
                        .setConfigProp("auto.create.topics.enable", "false")
                        .build();
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
                kafka = cluster;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        cluster.close();
                    } catch (Exception ignored) {
                        // JVM is exiting; the broker's temp dirs go with it.
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the Kafka test broker", e);
            }
        }
        return kafka.bootstrapServers();
    }

    public static synchronized String mongoUri() {
        if (mongoUri == null) {
            String external = System.getenv("FINETIDE_MONGODB_URI");
            if (external != null && !external.isBlank()) {
                mongoUri = external;
            } else {
                try {
                    Path dir = Files.createTempDirectory("finetide-ferretdb-");
                    FerretDbServer server = FerretDbServer.start(dir, LocalPaths.freePort(),
                            dir.resolve("ferretdb.log"));
                    ferretDb = server;
                    mongoUri = server.connectionString();
                    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("cannot create a FerretDB data directory", e);
                }
            }
        }
        return mongoUri;
    }
}
