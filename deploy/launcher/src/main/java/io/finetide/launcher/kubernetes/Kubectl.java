package io.finetide.launcher.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The machine's {@code kubectl} against one API server (its kubeconfig): what users run, so what the checks run.
 */
public final class Kubectl {

    /** A finished command: its exit code and what it printed (standard output and error together). */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final Path kubeconfig;
    private final Path workingDir;

    public Kubectl(Path kubeconfig, Path workingDir) {
        this.kubeconfig = kubeconfig;
        this.workingDir = workingDir;
    }

    public Result run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs kubectl with {@code stdin} (a manifest for {@code -f -}) or none. */
    public Result runWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish");
            }
            // The machine's kubectl is older than the server: its version-skew warning is noise here.
            String kept = out.lines().filter(l -> !l.startsWith("WARNING: version difference")).reduce("", (a, b) -> a
                    + b + "\n");
            return new Result(p.exitValue(), kept);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kubectl (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs and fails with kubectl's own words unless it exits 0. */
    public String ok(String... args) {
        Result r = run(args);
        if (!r.ok()) {
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " failed (" + r.exitCode() + "):\n"
                    + r.output());
        }
        return r.output();
    }
}
