package io.finetide.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import io.finetide.launcher.transport.TransportSecurity;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) on loopback, from the Maven Central
 * jars. Run as its own process by the launcher; it exits when its standard input closes, so it never outlives the
 * process that started it.
 *
 * <pre>
 * KafkaBroker --port 19092 --controller-port 19093 --dir /path/to/data [--security /path/to/security]
 * </pre>
 *
 * With {@code --security}, the broker takes clients on SASL_SSL only, with the users and certificate kept there
 * ({@link TransportSecurity}), and enforces ACLs.
 */
public final class KafkaBroker {

    private KafkaBroker() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(arg(args, "--port", "19092"));
        int controllerPort = Integer.parseInt(arg(args, "--controller-port", Integer.toString(port + 1)));
        Path dir = Paths.get(arg(args, "--dir", ".run/kafka")).toAbsolutePath();
        String securityDir = arg(args, "--security", null);
        TransportSecurity security = securityDir == null
                ? null
                : TransportSecurity.in(Paths.get(securityDir),
                        LocalPlatform.SERVICES);
        Path properties = writeConfig(dir, port, controllerPort, security);
        format(dir, properties, security);
        watchStdin();
        kafka.Kafka.main(new String[]{properties.toString()});
    }

    static Path writeConfig(Path dir, int port, int controllerPort, TransportSecurity security) {
        try {
            Files.createDirectories(dir.resolve("logs"));
            List<String> listeners = security != null
                    ? security.brokerConfig(port, controllerPort)
                    : List.of(
                            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                            "inter.broker.listener.name=PLAINTEXT",
                            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
            List<String> lines = new java.util.ArrayList<>(List.of(
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "controller.listener.names=CONTROLLER"));
            lines.addAll(listeners);
            lines.addAll(List.of(
                    "log.dirs=" + dir.resolve("logs"),
                    "num.partitions=1",
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "log.retention.hours=168",
                    ""));
            String config = String.join("\n", lines);
            Path file = dir.resolve("server.properties");
            Files.writeString(file, config);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void format(Path dir, Path properties, TransportSecurity security) throws IOException {
        Path idFile = dir.resolve("cluster.id");
        if (!Files.exists(idFile)) {
            // Kafka's own generator: it never starts an id with '-'.
            Files.writeString(idFile, org.apache.kafka.common.Uuid.randomUuid().toString());
        }
        String clusterId = Files.readString(idFile).trim();
        // "--cluster-id=<id>" in one argument: an id beginning with '-' (1 in 64 of the random ones written before)
        // would otherwise be read as an option and fail the format.
        List<String> command = new java.util.ArrayList<>(List.of("format", "--cluster-id=" + clusterId, "-c",
                properties.toString(), "--ignore-formatted"));
        Path usersAdded = dir.resolve("scram-users-added");
        if (security != null) {
            if (Files.exists(dir.resolve("logs/meta.properties")) && !Files.exists(usersAdded)) {
                // Formatting again would be skipped, and the users would not exist: say so instead of failing sign-in.
                throw new IllegalStateException("the broker's data in " + dir + " was made without TLS users; "
                        + "delete it or start the TLS platform in another directory");
            }
            // The users exist from the first start: SCRAM credentials live in the metadata the broker serves.
            command.addAll(security.formatArguments());
        }
        int rc = kafka.tools.StorageTool.execute(command.toArray(String[]::new), new PrintStream(System.out, true));
        if (rc != 0) {
            throw new IllegalStateException("kafka-storage format failed with " + rc);
        }
        if (security != null) {
            Files.writeString(usersAdded, "");
        }
    }

    private static void watchStdin() {
        Thread t = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // Input is ignored; only its end matters.
                }
            } catch (IOException ignored) {
                // A broken pipe means the same as EOF: the parent is gone.
            }
            System.exit(0);
        }, "parent-watchdog");
        t.setDaemon(true);
        t.start();
    }

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
