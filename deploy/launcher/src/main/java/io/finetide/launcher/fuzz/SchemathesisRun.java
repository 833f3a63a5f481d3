package io.finetide.launcher.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Schemathesis (PyPI, in a virtual environment of its own under {@code .run/}, never on the product's path) against
 * one service's OpenAPI document: every documented operation with generated valid and invalid inputs, checked for
 * server errors and, with Finetide's own check ({@code deploy/fuzz/finetide_checks.py}), for refusals that do not say
 * why.
 */
final class SchemathesisRun {

    static final String VERSION = "4.32.5";
    private static final Pattern GENERATED = Pattern.compile("(\\d+) generated");
    private static final Pattern FAILURES = Pattern.compile("(\\d+) unique failures?");

    private final Path root;
    private final Path venv;
    private final Consumer<String> say;

    SchemathesisRun(Path root, Consumer<String> say) {
        this.root = root;
        this.venv = root.resolve(".run/fuzz-venv");
        this.say = say;
    }

    /** Installs Schemathesis once, from PyPI. */
    void install() throws IOException, InterruptedException {
        Path st = venv.resolve("bin/st");
        if (Files.isExecutable(st) && run(List.of(st.toString(), "--version"), root, Map.of()).output().contains(
                VERSION)) {
            return;
        }
        say.accept("installing Schemathesis " + VERSION + " into " + venv + " from PyPI");
        check(run(List.of("python3", "-m", "venv", venv.toString()), root, Map.of()));
        check(run(List.of(venv.resolve("bin/pip").toString(), "install", "--quiet", "schemathesis==" + VERSION),
                root, Map.of()));
    }

    FuzzReport.Line run(String service, String baseUrl, int examples, long seed) throws IOException,
            InterruptedException {
        Path fuzz = root.resolve("deploy/fuzz");
        Result r = run(List.of(venv.resolve("bin/st").toString(), "--config-file", fuzz.resolve("schemathesis.toml")
                .toString(), "run", baseUrl + "/q/openapi", "-H", "X-API-Key: " + HttpFuzz.ADMIN_KEY, "--checks",
                "not_a_server_error,refusal_has_reason", "--max-examples", Integer.toString(examples), "--seed", Long
                        .toString(seed),
                "--phases", "examples,coverage,fuzzing", "--no-color", "--workers", "1"),
                // Run from .run/: Schemathesis keeps a cache in its working directory, which is no source.
                venv.getParent(), Map.of("SCHEMATHESIS_HOOKS", "finetide_checks", "PYTHONPATH", fuzz.toString()));
        FuzzReport.Tally tally = new FuzzReport.Tally("schemathesis " + service);
        Matcher generated = GENERATED.matcher(r.output());
        long cases = 0;
        while (generated.find()) {
            cases = Long.parseLong(generated.group(1));
        }
        tally.inputs(cases);
        tally.count("test cases", cases);
        if (r.exit() != 0) {
            Matcher failures = FAILURES.matcher(r.output());
            long n = failures.find() ? Long.parseLong(failures.group(1)) : 1;
            int at = r.output().indexOf("FAILURES");
            String excerpt = at < 0 ? r.output() : r.output().substring(at);
            for (long i = 0; i < n; i++) {
                tally.problem(excerpt.substring(0, Math.min(1500, excerpt.length())));
            }
        }
        FuzzReport.Line line = tally.line();
        say.accept(line.toString());
        return line;
    }

    private record Result(int exit, String output) {
    }

    private static void check(Result r) {
        if (r.exit() != 0) {
            throw new IllegalStateException("failed (" + r.exit() + "): " + r.output());
        }
    }

    private static Result run(List<String> command, Path dir, Map<String, String> env) throws IOException,
            InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
    }
}
