package io.finetide.launcher.transport;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Everything the local platform needs to run over TLS with a user per service: the certificate, the broker's
 * configuration (clients on {@code SASL_SSL} with SCRAM-SHA-512, the controller on mutual TLS, ACLs enforced), and
 * each service's settings (its Kafka user, HTTPS only). Kept in one directory, readable by its owner only, so that a
 * platform started again in the same place signs in with the same credentials its broker was formatted with.
 *
 * @param dir      where the stores and credentials are kept
 * @param admin    the launcher's own user, the one super-user besides the broker itself
 * @param services each service's user, by service name
 */
public record TransportSecurity(Path dir, SelfSignedCertificate certificate, ScramUser admin,
        Map<String, ScramUser> services) {

    private static final String USERS = "users.properties";

    /** The settings in {@code dir}, made there the first time. */
    public static TransportSecurity in(Path dir, List<String> serviceNames) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Properties secrets = new Properties();
            Path file = dir.resolve(USERS);
            if (Files.exists(file)) {
                try (Reader r = Files.newBufferedReader(file)) {
                    secrets.load(r);
                }
            }
            boolean added = false;
            List<String> names = new ArrayList<>(List.of("store", "finetide-admin"));
            serviceNames.forEach(s -> names.add(userName(s)));
            for (String name : names) {
                if (!secrets.containsKey(name)) {
                    secrets.setProperty(name, randomSecret());
                    added = true;
                }
            }
            if (added) {
                try (Writer w = Files.newBufferedWriter(file)) {
                    secrets.store(w, "Finetide local platform: passwords of the key stores and the Kafka users");
                }
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            Map<String, ScramUser> users = new LinkedHashMap<>();
            serviceNames.forEach(s -> users.put(s, new ScramUser(userName(s), secrets.getProperty(userName(s)))));
            return new TransportSecurity(dir, SelfSignedCertificate.in(dir, secrets.getProperty("store")),
                    new ScramUser("finetide-admin", secrets.getProperty("finetide-admin")), Map.copyOf(users));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A service's Kafka user: the name Strimzi gives its {@code KafkaUser} in the Kubernetes overlays. */
    public static String userName(String service) {
        return "finetide-" + service;
    }

    /**
     * The broker's listeners and security: clients on SASL_SSL (SCRAM-SHA-512, a user each), the controller on
     * mutual TLS (SCRAM cannot serve it: its credentials live in the metadata the controller serves), ACLs enforced
     * by KRaft's own authorizer with nothing allowed that no ACL names.
     */
    public List<String> brokerConfig(int port, int controllerPort) {
        String store = "PKCS12";
        return List.of(
                "listeners=SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=SASL_SSL://127.0.0.1:" + port,
                "listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL",
                "inter.broker.listener.name=SASL_SSL",
                "sasl.enabled.mechanisms=" + ScramUser.MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + ScramUser.MECHANISM,
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=" + admin.jaasConfig(),
                "listener.name.controller.ssl.client.auth=required",
                "ssl.keystore.location=" + certificate.keyStore(),
                "ssl.keystore.password=" + certificate.password(),
                "ssl.keystore.type=" + store,
                "ssl.truststore.location=" + certificate.trustStore(),
                "ssl.truststore.password=" + certificate.password(),
                "ssl.truststore.type=" + store,
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found=false",
                "super.users=User:" + admin.name() + ";User:" + SelfSignedCertificate.SUBJECT);
    }

    /** The users to create when the broker's storage is formatted, as {@code kafka-storage format} arguments. */
    public List<String> formatArguments() {
        List<String> args = new ArrayList<>(List.of("--add-scram", admin.formatArgument()));
        services.values().forEach(u -> {
            args.add("--add-scram");
            args.add(u.formatArgument());
        });
        return args;
    }

    /** A Kafka client's settings as {@code user}. */
    public Map<String, Object> kafkaClient(String bootstrap, ScramUser user) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", ScramUser.MECHANISM);
        p.put("sasl.jaas.config", user.jaasConfig());
        p.put("ssl.truststore.location", certificate.trustStore().toString());
        p.put("ssl.truststore.password", certificate.password());
        p.put("ssl.truststore.type", "PKCS12");
        return p;
    }

    /**
     * A service's settings as environment variables: its Kafka user (Quarkus hands every {@code KAFKA_*} variable to
     * the Kafka clients, {@code _} read as {@code .}), and HTTPS only on its port, with the certificate from Quarkus's
     * TLS registry.
     */
    public Map<String, String> serviceEnv(String service, String bootstrap, int port) {
        Map<String, String> env = new LinkedHashMap<>();
        kafkaClient(bootstrap, services.get(service)).forEach((k, v) -> env.put("KAFKA_" + k.toUpperCase().replace(
                '.', '_'), v.toString()));
        env.put("QUARKUS_HTTP_SSL_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_INSECURE_REQUESTS", "disabled");
        env.put("QUARKUS_TLS_KEY_STORE_P12_PATH", certificate.keyStore().toString());
        env.put("QUARKUS_TLS_KEY_STORE_P12_PASSWORD", certificate.password());
        return env;
    }

    /**
     * The administrator's client settings as a file for Kafka's own tools ({@code --command-config}), readable by its
     * owner only.
     */
    public Path adminClientFile() {
        Path file = dir.resolve("admin-client.properties");
        Properties p = new Properties();
        kafkaClient("", admin).forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                p.setProperty(k, v.toString());
            }
        });
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "Finetide local platform: Kafka client settings of " + admin.name());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTTP client that trusts the platform's certificate. */
    public HttpClient.Builder httpClient() {
        return HttpClient.newBuilder().sslContext(certificate.sslContext());
    }

    /** The secrets a log, an event or a metric must never show (checked by the secure pipeline's test). */
    public List<String> secrets() {
        List<String> all = new ArrayList<>(List.of(certificate.password(), admin.password()));
        services.values().forEach(u -> all.add(u.password()));
        return all;
    }

    private static String randomSecret() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public String toString() {
        return "TransportSecurity[" + dir + ", users " + services.keySet() + "]";
    }
}
