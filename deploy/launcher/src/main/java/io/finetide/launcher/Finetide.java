package io.finetide.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.finetide.launcher.images.ServiceImages;
import io.finetide.launcher.monitoring.MonitoringAssets;
import io.finetide.platform.local.LocalPaths;

/**
 * Command line of the local platform.
 *
 * <pre>
 * demo [--exit-after-demo] [--data DIR] [--stall-minutes N] [--tls]
 *                                         fresh platform, the SST-2 demo, then stays up until Ctrl-C; the demo gives
 *                                         up only when the platform announces nothing for N minutes (default 10)
 * up [--prometheus] [--tls]               the platform alone, data kept in .run/platform(-tls), until Ctrl-C; with a
 *                                         Prometheus on 127.0.0.1:9090 scraping it
 *                                         --tls: HTTPS only, Kafka on SASL_SSL with a SCRAM user per service and
 *                                         their ACLs, a self-signed certificate for localhost (Transport)
 * broker --port P --dir D                 a Kafka broker alone (the launcher starts it this way)
 * </pre>
 */
public final class Finetide {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Finetide() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "demo" : args[0];
        List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        switch (command) {
            case "broker" -> KafkaBroker.main(rest.toArray(String[]::new));
            case "demo" -> demo(rest);
            case "up" -> up(rest);
            case "images" -> images(rest);
            case "chaos" -> chaos(rest);
            case "fuzz" -> fuzz(rest);
            default -> {
                System.err.println("usage: finetide demo [--exit-after-demo] [--data DIR] [--stall-minutes N]"
                        + " | up [--prometheus] [--tls] | chaos [--records N] [--kills N] [--no-restarts] [--seed N]"
                        + " | fuzz [--inputs N] [--topic-inputs N] [--schemathesis-examples N] [--seed N]"
                        + " | images BASE_TAR OUT_DIR VERSION"
                        + " | broker ...");
                System.exit(2);
            }
        }
    }

    static final Consumer<String> SAY = line -> System.out.println(LocalTime.now().format(CLOCK) + "  " + line);

    /** The fault campaign: prints its accounting table, and exits 1 on any mismatch. */
    private static void chaos(List<String> args) throws Exception {
        Path root = LocalPaths.projectRoot();
        Path work = root.resolve(".run/chaos");
        deleteTree(work);
        io.finetide.launcher.chaos.Accounting a = new io.finetide.launcher.chaos.ChaosCampaign(
                new io.finetide.launcher.chaos.ChaosCampaign.Options(root, work, root.resolve(
                        "../shared/datasets/sst2-sentences/stsa.binary.train").normalize(), Integer.parseInt(
                                option(
                                        args, "--records", "100000")),
                        Long.parseLong(option(args, "--seed", "1")), Integer
                                .parseInt(option(args, "--kills", "6")),
                        !args.contains("--no-restarts")),
                SAY).run();
        System.out.println(a.table());
        if (!a.mismatches().isEmpty()) {
            System.exit(1);
        }
    }

    /** The fuzzing campaign: prints its report, and exits 1 on any broken promise. */
    private static void fuzz(List<String> args) throws Exception {
        Path root = LocalPaths.projectRoot();
        Path work = root.resolve(".run/fuzz");
        deleteTree(work);
        io.finetide.launcher.fuzz.FuzzReport report = new io.finetide.launcher.fuzz.FuzzCampaign(
                new io.finetide.launcher.fuzz.FuzzCampaign.Options(root, work, Integer.parseInt(option(args,
                        "--inputs", "10000")), Integer.parseInt(option(args, "--topic-inputs", "10000")), Integer
                                .parseInt(option(args, "--schemathesis-examples", "200")),
                        Long.parseLong(option(args,
                                "--seed", "1"))),
                SAY).run();
        System.out.println(report.table());
        if (!report.failures().isEmpty()) {
            System.exit(1);
        }
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }

    private static void demo(List<String> args) throws InterruptedException {
        Path root = LocalPaths.projectRoot();
        boolean exitAfter = args.contains("--exit-after-demo");
        int dataArg = args.indexOf("--data");
        Path data = dataArg >= 0
                ? Path.of(args.get(dataArg + 1))
                : root.resolve("../shared/datasets/sst2-sentences").normalize();
        if (!Files.exists(data.resolve("stsa.binary.train"))) {
            throw new IllegalStateException("no SST-2 sentences at " + data + " (use --data DIR)");
        }
        LocalPlatform.Options options = LocalPlatform.Options.demo(root).withEnv(DemoRollout.SETTINGS);
        if (args.contains("--tls")) {
            options = options.secured();
        }
        deleteTree(options.workDir());
        int stallArg = args.indexOf("--stall-minutes");
        Duration stall = Duration.ofMinutes(stallArg >= 0 ? Long.parseLong(args.get(stallArg + 1)) : 10);
        LocalPlatform platform = LocalPlatform.start(options, SAY);
        monitoringHints(platform);
        Thread hook = new Thread(() -> {
            SAY.accept("stopping all processes");
            platform.close();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            new DemoDriver(platform, data, SAY, stall).run();
        } catch (RuntimeException e) {
            SAY.accept("demo failed: " + e.getMessage() + " (logs in " + options.workDir().resolve("logs") + ")");
            System.exit(1);
        }
        if (exitAfter) {
            System.exit(0);
        }
        monitoringHints(platform);
        waitForCtrlC(platform);
    }

    private static void up(List<String> args) throws InterruptedException {
        Path root = LocalPaths.projectRoot();
        LocalPlatform.Options options = LocalPlatform.Options.demo(root).in(root.resolve(".run/platform"));
        if (args.contains("--prometheus")) {
            options = options.with(options.monitoring().started());
        }
        if (args.contains("--tls")) {
            // Its own data: a broker made without the Kafka users cannot take them later.
            options = options.secured().in(root.resolve(".run/platform-tls"));
        }
        LocalPlatform platform = LocalPlatform.start(options, SAY);
        Runtime.getRuntime().addShutdownHook(new Thread(platform::close));
        monitoringHints(platform);
        waitForCtrlC(platform);
    }

    private static void waitForCtrlC(LocalPlatform platform) throws InterruptedException {
        SAY.accept("platform is up: ingestion " + platform.url("ingestion") + ", serving " + platform.url(
                "deployment") + "; Kafka " + platform.bootstrap() + "; Ctrl-C stops everything");
        platform.transportSecurity().ifPresent(s -> SAY.accept("TLS: curl --cacert " + s.certificate().certificate()
                + " " + platform.url("ingestion") + "/q/health; Kafka's tools as the administrator: --command-config "
                + s.adminClientFile()));
        new CountDownLatch(1).await();
    }

    /** Where to point Prometheus and Grafana: the written configuration, or the running Prometheus. */
    static void monitoringHints(LocalPlatform platform) {
        Path root = platform.options().projectRoot();
        SAY.accept(platform.prometheus().map(p -> "Prometheus " + p.url() + " scrapes the services (config "
                + platform.prometheusConfig() + ")").orElse("Prometheus: a ready configuration scraping the "
                        + "services is at " + platform.prometheusConfig() + " (.tools/bin/prometheus "
                        + "--config.file=" + root.relativize(platform.prometheusConfig())
                        + ", or ./finetide up --prometheus)"));
        SAY.accept("Grafana: add that Prometheus as a data source and import the dashboards in " + root.relativize(
                new MonitoringAssets(root).grafana().resolve("dashboards")) + " (provisioning files beside them); "
                + "metrics are listed in docs/METRICS.md, alerts in deploy/monitoring/prometheus");
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code images BASE_TAR OUT_DIR VERSION}: every deployable's image as a tarball (see ServiceImages). */
    private static void images(List<String> args) throws Exception {
        if (args.size() != 3) {
            throw new IllegalArgumentException("images BASE_TAR OUT_DIR VERSION");
        }
        Path root = LocalPaths.projectRoot();
        for (ServiceImages.Built b : ServiceImages.build(root,
                Path.of(args.get(0)), Path.of(args.get(1)), args.get(2), List.copyOf(
                        ServiceImages.PORTS.keySet()).stream().sorted().toList())) {
            System.out.printf("%-14s %s  image %s  digest %s%n", b.deployable(), b.tarball(), b.imageId(), b
                    .digest());
        }
    }
}
