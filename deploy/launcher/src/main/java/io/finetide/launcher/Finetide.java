package io.finetide.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.finetide.platform.local.LocalPaths;

/**
 * Command line of the local platform.
 *
 * <pre>
 * demo [--exit-after-demo] [--data DIR]   fresh platform, the SST-2 demo, then stays up until Ctrl-C
 * up                                      the platform alone, data kept in .run/platform, until Ctrl-C
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
            case "up" -> up();
            default -> {
                System.err.println("usage: finetide demo [--exit-after-demo] [--data DIR] | up | broker ...");
                System.exit(2);
            }
        }
    }

    static final Consumer<String> SAY = line -> System.out.println(LocalTime.now().format(CLOCK) + "  " + line);

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
        LocalPlatform.Options options = LocalPlatform.Options.demo(root);
        deleteTree(options.workDir());
        LocalPlatform platform = LocalPlatform.start(options, SAY);
        Thread hook = new Thread(() -> {
            SAY.accept("stopping all processes");
            platform.close();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            new DemoDriver(platform, data, SAY).run();
        } catch (RuntimeException e) {
            SAY.accept("demo failed: " + e.getMessage() + " (logs in " + options.workDir().resolve("logs") + ")");
            System.exit(1);
        }
        if (exitAfter) {
            System.exit(0);
        }
        waitForCtrlC(platform);
    }

    private static void up() throws InterruptedException {
        Path root = LocalPaths.projectRoot();
        LocalPlatform.Options demo = LocalPlatform.Options.demo(root);
        LocalPlatform.Options options = new LocalPlatform.Options(root, root.resolve(".run/platform"),
                demo.kafkaPort(), demo.ferretPort(), demo.basePort(), "", demo.database(), demo.mongoUri(),
                demo.partitions(), LocalPlatform.SERVICES, java.util.Map.of());
        LocalPlatform platform = LocalPlatform.start(options, SAY);
        Runtime.getRuntime().addShutdownHook(new Thread(platform::close));
        waitForCtrlC(platform);
    }

    private static void waitForCtrlC(LocalPlatform platform) throws InterruptedException {
        SAY.accept("platform is up: ingestion " + platform.url("ingestion") + ", serving " + platform.url(
                "deployment") + "; Kafka " + platform.bootstrap() + "; Ctrl-C stops everything");
        new CountDownLatch(1).await();
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
}
