package io.finetide.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import io.finetide.platform.files.FileTrees;
import io.finetide.platform.local.LocalPaths;

/**
 * Benchmarks of the platform's stages, run by {@code ./finetide bench <name> [options]}; each prints a Markdown table
 * for {@code docs/BENCHMARKS.md}. Timings belong here, never in tests: the figures compare things measured side by
 * side in one run, as ratios, because the machines are shared and noisy.
 *
 * <pre>
 * preprocessing [--examples N] [--warmup N] [--data DIR]
 * ingestion [--examples N] [--warmup N] [--data DIR]
 * quality --dataset sst2|trec|sms-spam|wnut17 [--train N] [--epochs N] [--lr X] [--batch N] [--max-length N]
 *         [--strategy full|head|top-k] [--base minilm-l6|bge-small] [--incremental]
 *         [--refit]   (WNUT-17: then again on train and dev for the epoch count dev chose)
 *         [--peer [--python PATH]]   (the same fine-tuning in transformers on PyTorch beside it)
 * long-text [--base minilm-l6|bge-small] [--words N] [--train N] [--epochs N] [--lr X] [--batch N]
 * distillation --dataset sst2|trec|sms-spam [--base minilm-l6|bge-small] [--train N] [--unlabelled N] [--epochs N]
 *         [--lr X] [--batch N] [--max-length N] [--student-layers N] [--temperature X] [--hard-weight X]
 *         [--probes N]
 * serving [--base minilm-l6|bge-small|random] [--clients 1,4,16,64] [--requests N] [--blocks N]
 *         [--max-queue-delay 2ms] [--concurrency N] [--max-batch-size N]   (the batching side's settings)
 * peers [--threads N] [--batch N] [--lengths 64,128] [--iterations N] [--python PATH]
 * search [--seeds N] [--trials N] [--python PATH]
 * study [--train N] [--trials N] [--epochs N] [--threads N]
 * generation [--layers 6] [--hidden 768] [--heads 12] [--vocab 50257] [--positions 512] [--prompt 16]
 *         [--lengths 16,64,256] [--uncached-up-to 256] [--repeats 2] [--threads 2] [--python PATH]
 * privacy [--dataset sms-spam|sst2|trec] [--members N] [--epochs N] [--private-epochs N]
 *         [--private-lr X] [--batch N] [--strategies full:5e-5,head:1e-2] [--private-strategy head] [--epsilons 1,3,8]
 *         [--delta X] [--clip X]
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
            case "metrics" -> System.out.println(new MetricsBenchmark(root, data, Integer.parseInt(option(a,
                    "--examples", "20000")), Integer.parseInt(option(a, "--requests", "2000")), Integer.parseInt(
                            option(a, "--blocks", "20")),
                    SAY).run());
            case "quality" -> System.out.println(new QualityBenchmark(root.resolve("../shared/datasets").normalize(),
                    new QualityBenchmark.Options(option(a, "--dataset", "sst2"), option(a, "--base", "minilm-l6"),
                            Integer.parseInt(option(a, "--train", "0")), Integer.parseInt(option(a, "--epochs", "3")),
                            Double.parseDouble(option(a, "--lr", "5e-5")), Integer.parseInt(option(a, "--batch",
                                    "32")),
                            Integer.parseInt(option(a, "--max-length", "64")), option(a,
                                    "--strategy", "full"),
                            a.contains("--incremental"), a.contains("--refit"), Integer.parseInt(
                                    option(a, "--threads", "2")),
                            a.contains("--peer")
                                    ? Optional.of(new QualityPeer.Setup(Path.of(option(a, "--python", root
                                            .resolve(".run/peers-venv/bin/python").toString())), root.resolve(
                                                    "benchmarks/python"),
                                            root.resolve(".run/bench-quality")))
                                    : Optional.empty()),
                    SAY).run());
            case "long-text" -> System.out.println(new LongTextBenchmark(root.resolve(AustenPassages.RDB),
                    new LongTextBenchmark.Options(option(a, "--base", "minilm-l6"), Integer.parseInt(option(a,
                            "--words", "150")), Integer.parseInt(option(a, "--train", "0")), Integer.parseInt(
                                    option(
                                            a, "--epochs", "3")),
                            Double.parseDouble(option(a, "--lr", "5e-5")), Integer.parseInt(option(a, "--batch",
                                    "32")),
                            Integer.parseInt(option(a, "--threads", "2"))),
                    SAY).run());
            case "distillation" -> System.out.println(new DistillationBenchmark(root.resolve("../shared/datasets")
                    .normalize(),
                    new DistillationBenchmark.Options(option(a, "--dataset", "trec"), option(a, "--base",
                            "minilm-l6"), Integer.parseInt(option(a, "--train", "0")),
                            Integer.parseInt(option(a,
                                    "--unlabelled", "0")),
                            Integer.parseInt(option(a, "--epochs", "3")), Double
                                    .parseDouble(option(a, "--lr", "5e-5")),
                            Integer.parseInt(option(a,
                                    "--batch", "32")),
                            Integer.parseInt(option(a, "--max-length",
                                    "64")),
                            Integer.parseInt(option(a, "--student-layers",
                                    "3")),
                            Double.parseDouble(option(a,
                                    "--temperature", "2")),
                            Double.parseDouble(
                                    option(a, "--hard-weight", "0.5")),
                            Integer.parseInt(option(a, "--probes", "300")), Integer.parseInt(option(a, "--threads",
                                    "2"))),
                    SAY).run());
            case "serving" -> System.out.println(new ServingBenchmark(root, data, new ServingBenchmark.Options(option(
                    a, "--base", "minilm-l6"),
                    Arrays.stream(option(a, "--clients", "1,4,16,64").split(",")).map(
                            String::trim).map(Integer::valueOf).toList(),
                    Integer.parseInt(option(a, "--requests",
                            "800")),
                    Integer.parseInt(option(a, "--blocks", "4")), batching(a)), SAY).run());
            case "peers" -> {
                Path work = root.resolve(".run/bench-peers");
                Files.createDirectories(work);
                System.out.println(new PeersBenchmark(work, data, Path.of(option(a, "--python", root.resolve(
                        ".run/peers-venv/bin/python").toString())), root.resolve("benchmarks/python/peers.py"),
                        Integer.parseInt(option(a, "--threads", "2")), Integer.parseInt(option(a, "--batch", "32")),
                        PeersBenchmark.parseLengths(option(a, "--lengths", "64,128")), Integer.parseInt(option(a,
                                "--iterations", "10")),
                        SAY).run());
            }
            case "search" -> System.out.println(new SearchBenchmark(Path.of(option(a, "--python", root.resolve(
                    ".run/search-venv/bin/python").toString())), root.resolve("benchmarks/python/search.py"), Integer
                            .parseInt(option(a, "--seeds", "30")),
                    Integer.parseInt(option(a, "--trials", "60")), SAY)
                    .run());
            case "privacy" -> System.out.println(new PrivacyBenchmark(root.resolve("../shared/datasets").normalize(),
                    new PrivacyBenchmark.Options(option(a, "--dataset", "sms-spam"), option(a, "--base", "minilm-l6"),
                            Integer.parseInt(option(a, "--members", "1000")), Integer.parseInt(option(a, "--epochs",
                                    "6")),
                            Integer.parseInt(option(a, "--private-epochs", "6")), Double.parseDouble(option(a,
                                    "--private-lr",
                                    "1e-2")),
                            Integer.parseInt(option(a, "--batch", "50")), Integer
                                    .parseInt(option(a, "--max-length", "64")),
                            List.of(option(
                                    a, "--strategies", "full:5e-5,head:1e-2").split(",")),
                            option(a, "--private-strategy", "head"), Arrays.stream(option(a, "--epsilons", "1,3,8")
                                    .split(",")).map(Double::valueOf).toList(),
                            Double.parseDouble(option(a,
                                    "--delta", "1e-5")),
                            Double.parseDouble(option(a, "--clip", "1.0")),
                            Integer.parseInt(option(a, "--threads", "2"))),
                    SAY).run());
            case "generation" -> System.out.println(new GenerationBenchmark(new GenerationBenchmark.Options(Integer
                    .parseInt(option(a, "--layers", "6")), Integer.parseInt(option(a, "--hidden", "768")),
                    Integer
                            .parseInt(option(a, "--heads", "12")),
                    Integer.parseInt(option(a, "--vocab", "50257")), Integer.parseInt(option(a, "--positions", "512")),
                    Integer.parseInt(option(a, "--prompt", "16")), Arrays.stream(option(a, "--lengths", "16,64,256")
                            .split(",")).map(String::trim).map(Integer::valueOf).toList(),
                    Integer.parseInt(option(a, "--uncached-up-to", "256")), Integer.parseInt(option(a, "--repeats",
                            "2")),
                    Integer.parseInt(option(a, "--threads", "2")), Path.of(option(a, "--python", root.resolve(
                            ".run/peers-venv/bin/python").toString())),
                    root.resolve("benchmarks/python/generation_peer.py")), SAY).run());
            case "study" -> System.out.println(new StudyBenchmark(root, root.resolve("../shared/datasets").normalize(),
                    new StudyBenchmark.Options(Integer.parseInt(option(a, "--train", "2000")), Integer.parseInt(option(
                            a, "--trials", "12")), Integer.parseInt(option(a, "--epochs", "3")), Integer.parseInt(
                                    option(a, "--threads", "2"))),
                    SAY).run());
            case "artifacts" -> System.out.println(new io.finetide.bench.store.ArtifactsBenchmark(root.resolve(
                    ".run/bench-artifacts"),
                    new io.finetide.bench.store.ArtifactsBenchmark.Options(Integer.parseInt(
                            option(a, "--artifacts", "40")), Integer.parseInt(option(a, "--bytes", "3900000")),
                            Integer.parseInt(option(a, "--reads", "5"))),
                    SAY).run());
            default -> {
                System.err.println("usage: finetide bench preprocessing|ingestion [--examples N] [--warmup N] "
                        + "[--data DIR]\n       finetide bench metrics [--examples N] [--requests N] [--blocks N]\n       finetide bench quality --dataset sst2|trec|sms-spam|wnut17 [--train N] "
                        + "[--epochs N] [--lr X] [--batch N] [--max-length N] [--strategy S] [--base B] "
                        + "[--incremental] [--peer]\n       finetide bench long-text [--base B] [--words N] [--train N] [--epochs N]\n       finetide bench distillation --dataset sst2|trec|sms-spam [--base B] [--train N] "
                        + "[--unlabelled N] [--epochs N] [--lr X] [--student-layers N] [--temperature X] "
                        + "[--hard-weight X] [--probes N]\n       finetide bench serving [--base B] [--clients 1,4,16,64] [--requests N] "
                        + "[--blocks N] [--max-queue-delay D] [--concurrency N] [--max-batch-size N]\n       finetide bench peers [--threads N] [--batch N] [--lengths 64,128] "
                        + "[--iterations N]\n       finetide bench search [--seeds N] [--trials N]\n       finetide bench study "
                        + "[--train N] [--trials N] [--epochs N] [--threads N]\n       finetide bench generation [--layers N] "
                        + "[--hidden N] [--heads N] [--vocab N] [--positions N] [--prompt N] [--lengths 16,64,256] "
                        + "[--uncached-up-to N] [--repeats N] [--threads N]\n       finetide bench privacy [--dataset D] "
                        + "[--members N] [--epochs N] [--private-epochs N] [--private-lr X] [--batch N] "
                        + "[--strategies S:LR,S:LR] [--private-strategy S] "
                        + "[--epsilons 1,3,8] [--delta X] [--clip X]\n       finetide bench artifacts [--artifacts N] "
                        + "[--bytes N] [--reads N]");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    /** The batching side's settings a serving benchmark was given: {@code --max-queue-delay 2ms --concurrency 1}. */
    private static java.util.Map<String, String> batching(List<String> a) {
        java.util.Map<String, String> env = new java.util.TreeMap<>();
        for (String o : List.of("max-queue-delay", "concurrency", "max-batch-size")) {
            if (a.contains("--" + o)) {
                env.put("FINETIDE_DEPLOYMENT_BATCHING_" + o.replace('-', '_').toUpperCase(java.util.Locale.ROOT),
                        option(a, "--" + o, ""));
            }
        }
        return env;
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }

    static void deleteTree(Path dir) {
        FileTrees.delete(dir);
    }
}
