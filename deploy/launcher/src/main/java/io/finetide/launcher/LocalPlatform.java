package io.finetide.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.finetide.launcher.kubernetes.ServiceChannels;
import io.finetide.launcher.monitoring.MonitoringAssets;
import io.finetide.launcher.monitoring.PrometheusConfig;
import io.finetide.launcher.monitoring.PrometheusServer;
import io.finetide.launcher.transport.KafkaAcls;
import io.finetide.launcher.transport.ScramUser;
import io.finetide.launcher.transport.TransportSecurity;
import io.finetide.platform.local.FerretDbServer;
import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.topics.TopicProvisioner;
import io.finetide.platform.topics.Topics;

/**
 * The whole platform on one machine, each part its own process: a Kafka broker, FerretDB (unless a MongoDB URI is
 * given), and the five packaged services. Used by the demo and by the cross-process integration tests.
 */
public final class LocalPlatform implements AutoCloseable {

    public static final List<String> SERVICES = List.of("ingestion", "preprocessing", "training", "evaluation",
            "deployment");

    /**
     * @param basePort the services listen on basePort+1 .. basePort+5 (8091..8095 for 8090)
     * @param topicSuffix appended to every topic name (empty: the production names)
     * @param mongoUri an external MongoDB, or null to start FerretDB
     * @param database prefix of the databases: one per service ({@code <prefix>_ingestion}, ...) and
     *        {@code <prefix>_artifacts}
     * @param env extra environment of every service process (their settings, e.g. {@code FINETIDE_TRAINING_PATIENCE})
     * @param monitoring the Prometheus configuration written for the platform, and whether one is started
     * @param transport  plain connections, or TLS everywhere with a Kafka user per service
     */
    public record Options(Path projectRoot, Path workDir, int kafkaPort, int ferretPort, int basePort,
            String topicSuffix, String database, String mongoUri, int partitions, List<String> services,
            Map<String, String> env, Monitoring monitoring, Transport transport) {

        public static Options demo(Path root) {
            return new Options(root, root.resolve(".run/demo"), 19092, 27018, 8090, "", "finetide",
                    System.getenv("FINETIDE_MONGODB_URI"), 3, SERVICES, Map.of(), Monitoring.CONFIG_ONLY,
                    Transport.PLAINTEXT);
        }

        /** The same platform with only some of the services (benchmarks of one stage). */
        public Options only(List<String> names) {
            return new Options(projectRoot, workDir, kafkaPort, ferretPort, basePort, topicSuffix, database, mongoUri,
                    partitions, List.copyOf(names), env, monitoring, transport);
        }

        /** The same platform with extra settings for the services. */
        public Options withEnv(Map<String, String> extra) {
            Map<String, String> all = new LinkedHashMap<>(env);
            all.putAll(extra);
            return new Options(projectRoot, workDir, kafkaPort, ferretPort, basePort, topicSuffix, database, mongoUri,
                    partitions, services, Map.copyOf(all), monitoring, transport);
        }

        /** The same platform, kept in {@code dir}. */
        public Options in(Path dir) {
            return new Options(projectRoot, dir, kafkaPort, ferretPort, basePort, topicSuffix, database, mongoUri,
                    partitions, services, env, monitoring, transport);
        }

        /** The same platform with this monitoring. */
        public Options with(Monitoring m) {
            return new Options(projectRoot, workDir, kafkaPort, ferretPort, basePort, topicSuffix, database, mongoUri,
                    partitions, services, env, m, transport);
        }

        public static Options isolated(Path root, Path workDir) {
            // Kafka (two ports), FerretDB, the five services at base+1..base+5, and a port for Prometheus.
            int first = LocalPaths.freePortBlock(9);
            return new Options(root, workDir, first, first + 2, first + 2, "", "finetide",
                    System.getenv("FINETIDE_MONGODB_URI"), 3, SERVICES, Map.of(), new Monitoring(false, first + 8,
                            Duration.ofSeconds(15)),
                    Transport.PLAINTEXT);
        }

        /** The same platform over TLS, with a Kafka user per service and their ACLs. */
        public Options secured() {
            return new Options(projectRoot, workDir, kafkaPort, ferretPort, basePort, topicSuffix, database, mongoUri,
                    partitions, services, env, monitoring, Transport.TLS);
        }
    }

    private final Options options;
    private final List<ManagedProcess> processes = new ArrayList<>();
    // Read by campaign threads while an instance is restarted.
    private final Map<String, String> serviceUrls = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, ManagedProcess> running = new LinkedHashMap<>();
    private TransportSecurity security;
    private LocalBroker broker;
    private FerretDbServer ferretDb;
    private String mongoUri;
    private Path prometheusConfig;
    private PrometheusServer prometheus;

    private LocalPlatform(Options options) {
        this.options = options;
    }

    public static LocalPlatform start(Options options, java.util.function.Consumer<String> say) {
        LocalPlatform p = new LocalPlatform(options);
        try {
            p.startAll(say);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void startAll(java.util.function.Consumer<String> say) {
        Path logs = options.workDir().resolve("logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String s : options.services()) {
            Path jar = serviceJar(s);
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: build first (./finetide build)");
            }
        }
        LocalPaths.requireFree(options.kafkaPort(), options.kafkaPort() + 1, options.ferretPort());
        for (int i = 1; i <= SERVICES.size(); i++) {
            LocalPaths.requireFree(options.basePort() + i);
        }

        if (options.transport() == Transport.TLS) {
            security = TransportSecurity.in(options.workDir().resolve("security"), SERVICES);
            say.accept("TLS: certificate for localhost in " + security.dir() + "; Kafka users " + security.services()
                    .values().stream().map(ScramUser::name).toList());
        }
        say.accept(
                "starting Kafka broker on 127.0.0.1:" + options.kafkaPort() + (security == null ? "" : " (SASL_SSL)"));
        broker = LocalBroker.start(options.workDir().resolve("kafka"), options.kafkaPort(), security, logs.resolve(
                "kafka.log"));
        writePid(broker.pid());

        if (options.mongoUri() == null || options.mongoUri().isBlank()) {
            say.accept("starting FerretDB (MongoDB wire protocol on SQLite) on 127.0.0.1:" + options.ferretPort());
            ferretDb = FerretDbServer.start(options.workDir().resolve("ferretdb"), options.ferretPort(),
                    logs.resolve("ferretdb.log"));
            mongoUri = ferretDb.connectionString();
            writePid(ferretDb.pid());
        } else {
            mongoUri = options.mongoUri();
            say.accept("using MongoDB at " + mongoUri.replaceAll("//[^@/]*@", "//***@"));
        }

        broker.awaitListening(Duration.ofSeconds(90));
        TopicProvisioner.ensure(kafkaClient(), TopicProvisioner.platformTopics(options.topicSuffix()),
                options.partitions(), (short) 1);
        say.accept("Kafka ready; topics created");
        if (security != null) {
            int acls = KafkaAcls.apply(kafkaClient(), ServiceChannels.all(options.projectRoot()).stream().filter(
                    c -> SERVICES.contains(c.name())).toList());
            say.accept("Kafka ACLs: " + acls + ", each service's as its KafkaUser has them in production");
        }

        List<ManagedProcess> services = new ArrayList<>();
        for (String name : SERVICES) {
            if (options.services().contains(name)) {
                services.add(startService(name, logs));
            }
        }
        for (ManagedProcess p : services) {
            p.awaitHttpOk(serviceUrls.get(p.name()) + "/q/health/ready", Duration.ofMinutes(3), httpClient().build());
            say.accept(String.format("%-13s ready at %s", p.name(), serviceUrls.get(p.name())));
        }
        Path dir = options.workDir().resolve("prometheus");
        prometheusConfig = PrometheusConfig.write(dir.resolve("prometheus.yml"), serviceUrls,
                new MonitoringAssets(options.projectRoot()).rules(), options.monitoring().scrapeInterval(),
                security == null ? null : security.certificate().certificate());
        if (options.monitoring().start()) {
            LocalPaths.requireFree(options.monitoring().port());
            prometheus = PrometheusServer.start(options.projectRoot(), prometheusConfig, dir.resolve("data"), options
                    .monitoring().port(), logs.resolve("prometheus.log"));
            writePid(prometheus.pid());
            say.accept(String.format("%-13s ready at %s", "prometheus", prometheus.url()));
        }
    }

    /** The Prometheus configuration written for this platform. */
    public Path prometheusConfig() {
        return prometheusConfig;
    }

    /** The Prometheus started with the platform, if {@link Monitoring#start} asked for one. */
    public java.util.Optional<PrometheusServer> prometheus() {
        return java.util.Optional.ofNullable(prometheus);
    }

    private ManagedProcess startService(String name, Path logs) {
        return startService(name, name, options.basePort() + 1 + SERVICES.indexOf(name), logs, Map.of());
    }

    /**
     * @param service  which service's jar
     * @param instance the process's name (its log, its URL): the service's, or another for a second process of it
     */
    private ManagedProcess startService(String service, String instance, int port, Path logs,
            Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // The same through a restart of this instance, different from every other process on the machine.
        env.put("FINETIDE_INSTANCE", instance + "-" + port);
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap());
        env.put("QUARKUS_MONGODB_CONNECTION_STRING", mongoUri);
        env.put("QUARKUS_MONGODB_DATABASE", options.database() + "_" + service);
        env.put("FINETIDE_STORE_ARTIFACTS_DATABASE", options.database() + "_artifacts");
        env.put(Topics.SUFFIX_ENV, options.topicSuffix());
        env.put("FINETIDE_TOPICS_CREATE", "false"); // created above, with the right partition count
        if (service.equals("training")) {
            // Kept with the platform's data: a killed run resumes when the platform starts again.
            env.put("FINETIDE_TRAINING_CHECKPOINT_DIR", checkpointDir().toString());
        }
        if (security != null) {
            env.putAll(security.serviceEnv(service, bootstrap(), port));
        }
        env.putAll(options.env());
        env.putAll(extraEnv);
        // Services that hold models (22.7M floats each for MiniLM, twice while importing) get more heap.
        String heap = List.of("training", "evaluation", "deployment").contains(service) ? "-Xmx1500m" : "-Xmx512m";
        ManagedProcess p = ManagedProcess.start(instance, List.of(javaBin(), "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", heap, "-jar", serviceJar(service).toString()), env,
                logs.resolve(instance
                        + ".log"));
        track(p);
        running.put(instance, p);
        serviceUrls.put(instance, (security == null ? "http" : "https") + "://127.0.0.1:" + port);
        return p;
    }

    /**
     * Starts a second process of {@code service} beside the first, on a free port, with these settings added, and
     * waits until it is ready: for measuring two configurations side by side. {@link #url} and {@link #kill} know it
     * by {@code instance}.
     */
    public synchronized String startInstance(String service, String instance, Map<String, String> env) {
        ManagedProcess p = startService(service, instance, LocalPaths.freePortBlock(1), options.workDir().resolve(
                "logs"), env);
        p.awaitHttpOk(serviceUrls.get(instance) + "/q/health/ready", Duration.ofMinutes(3), httpClient().build());
        return serviceUrls.get(instance);
    }

    /** Where the training service keeps the checkpoints of its runs. */
    public Path checkpointDir() {
        return options.workDir().resolve("checkpoints");
    }

    /** Appends every running instance's thread dump to its log: what a platform that stopped making progress waits on. */
    public synchronized void dumpThreads() {
        running.values().forEach(ManagedProcess::dumpThreads);
    }

    /** Every running process of a service, by its name ({@code ingestion}, {@code ingestion-2}, ...). */
    public synchronized List<String> instances() {
        return List.copyOf(running.keySet());
    }

    /** Kills one service with SIGKILL (no shutdown, nothing flushed), as a crash would. */
    public synchronized void kill(String service) {
        running.get(service).kill();
    }

    /** Starts a killed or stopped service again, with the same settings, and waits until it is ready. */
    public synchronized void restart(String service) {
        ManagedProcess old = running.get(service);
        if (old != null && old.isAlive()) {
            old.close();
        }
        ManagedProcess p = startService(service, options.workDir().resolve("logs"));
        p.awaitHttpOk(serviceUrls.get(service) + "/q/health/ready", Duration.ofMinutes(3), httpClient().build());
    }

    /** Kills the Kafka broker (SIGKILL) and starts it again on its data: a broker crash, as the services see it. */
    public synchronized void restartBroker() {
        broker.restart(Duration.ofSeconds(90));
        writePid(broker.pid());
    }

    /** Stops the store and starts it again on its data (FerretDB; an external MongoDB is not the launcher's). */
    public synchronized void restartStore() {
        if (ferretDb == null) {
            throw new IllegalStateException("the store is an external MongoDB: the launcher does not restart it");
        }
        ferretDb.close();
        ferretDb = FerretDbServer.start(ferretDb.dataDir(), ferretDb.port(), options.workDir().resolve(
                "logs/ferretdb.log"));
        writePid(ferretDb.pid());
    }

    private void track(ManagedProcess p) {
        processes.add(p);
        writePid(p.pid());
    }

    /** The pids of all children, for the start script to clean up if this JVM is killed without its hooks. */
    private void writePid(long pid) {
        try {
            Files.writeString(options.workDir().resolve("pids"), pid + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path serviceJar(String name) {
        return options.projectRoot().resolve("services").resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public String bootstrap() {
        return "127.0.0.1:" + options.kafkaPort();
    }

    /**
     * A Kafka client's settings for the launcher and tests: the bootstrap servers, and under TLS the launcher's own
     * user (the administrator) and the trust of the platform's certificate.
     */
    public Map<String, Object> kafkaClient() {
        return security == null
                ? new LinkedHashMap<>(Map.of("bootstrap.servers", bootstrap()))
                : security.kafkaClient(bootstrap(), security.admin());
    }

    /** {@link #kafkaClient()} as the {@code Properties} Kafka's clients take. */
    public java.util.Properties kafkaClientProperties() {
        java.util.Properties p = new java.util.Properties();
        p.putAll(kafkaClient());
        return p;
    }

    /** An HTTP client for the services: under TLS it trusts the platform's certificate. */
    public java.net.http.HttpClient.Builder httpClient() {
        return security == null ? java.net.http.HttpClient.newBuilder() : security.httpClient();
    }

    /** The TLS settings and users, when the platform runs with {@link Transport#TLS}. */
    public java.util.Optional<TransportSecurity> transportSecurity() {
        return java.util.Optional.ofNullable(security);
    }

    public String mongoUri() {
        return mongoUri;
    }

    public String url(String service) {
        return serviceUrls.get(service);
    }

    public String topic(String baseTopic) {
        return io.finetide.platform.topics.Topics.withSuffix(baseTopic, options.topicSuffix());
    }

    public Options options() {
        return options;
    }

    @Override
    public void close() {
        if (prometheus != null) {
            prometheus.close();
        }
        // Services first (they flush to Kafka and the store), then the store, then the broker.
        List<ManagedProcess> reversed = new ArrayList<>(processes);
        java.util.Collections.reverse(reversed);
        reversed.parallelStream().forEach(ManagedProcess::close);
        if (ferretDb != null) {
            ferretDb.close();
        }
        if (broker != null) {
            broker.close();
        }
        try {
            Files.deleteIfExists(options.workDir().resolve("pids"));
        } catch (IOException ignored) {
            // Only a hint for the start script.
        }
    }
}
