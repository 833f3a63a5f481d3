package io.finetide.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.finetide.platform.local.LocalPaths;

/**
 * Benchmarks of the platform's stages, run by {@code ./finetide bench <name> [options]}; each prints a Markdown table
 * for {@code docs/BENCHMARKS.md}. Timings belong here, never in tests: the figures compare things measured side by
 * side in one run, as ratios, because the machines are shared and noisy.
 *
 * <pre>
 * preprocessing [--examples N] [--warmup N] [--data DIR]
 * ingestion [--examples N] [--warmup N] [--data DIR]
 * </pre>
 */
public final class Bench {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    static final Consumer<String> SAY = line -> System.err.println(LocalTime.now().format(CLOCK) + "  " + line);

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        String name = a.isEmpty() ? "" : a.get(0);
        Path root = LocalPaths.projectRoot();
        Path data = Path.of(option(a, "--data", root.resolve("../shared/datasets/sst2-sentences").normalize()
                .toString()));
        switch (name) {
            case "preprocessing" -> System.out.println(new PreprocessingBenchmark(root, data, Integer.parseInt(option(
                    a, "--examples", "20000")), Integer.parseInt(option(a, "--warmup", "2000")), SAY).run());
            case "ingestion" -> System.out.println(new IngestionBenchmark(root, data, Integer.parseInt(option(a,
                    "--examples", "20000")), Integer.parseInt(option(a, "--warmup", "2000")), SAY).run());
            default -> {
                System.err.println("usage: finetide bench preprocessing|ingestion [--examples N] [--warmup N] "
                        + "[--data DIR]");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
