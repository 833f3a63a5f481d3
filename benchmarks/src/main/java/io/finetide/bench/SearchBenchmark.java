package io.finetide.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.model.search.Grid;
import io.finetide.model.search.Observation;
import io.finetide.model.search.Parameter;
import io.finetide.model.search.RandomSampler;
import io.finetide.model.search.Sampler;
import io.finetide.model.search.SearchSpace;
import io.finetide.model.search.TpeSampler;

/**
 * The Java samplers against Optuna's ({@code benchmarks/python/search.py}, in the peers' virtual environment) on
 * standard test functions to minimise: Branin (2-D, minimum 0.397887), Hartmann-6 (6-D, minimum -3.32237) and a
 * conditional space like a fine-tuning one (a strategy, a log-scaled learning rate, a LoRA rank only under LoRA;
 * minimum 0). For each, the median over seeds of the best value after 20, 40 and 60 trials. Optuna's seeds are its
 * own, so the comparison is between distributions, not paired runs. TPE both ways: multivariate (Optuna 5's default)
 * and univariate; a grid once, in its order (a grid shorter than a checkpoint shows its best at its end).
 */
final class SearchBenchmark {

    static final int[] CHECKPOINTS = {20, 40, 60};
    static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};
    static final double[][] A = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8},
            {17, 8, 0.05, 10, 0.1, 14}};
    static final double[][] P = {{1312, 1696, 5569, 124, 8283, 5886}, {2329, 4135, 8307, 3736, 1004, 9991},
            {2348, 1451, 3522, 2883, 3047, 6650}, {4047, 8828, 8732, 5743, 1091, 381}};

    record TestFunction(String name, SearchSpace space, ToDoubleFunction<Map<String, Object>> f) {
    }

    private final Path python;
    private final Path script;
    private final int seeds;
    private final int trials;
    private final Consumer<String> say;

    SearchBenchmark(Path python, Path script, int seeds, int trials, Consumer<String> say) {
        this.python = python;
        this.script = script;
        this.seeds = seeds;
        this.trials = trials;
        this.say = say;
    }

    String run() throws IOException, InterruptedException {
        List<TestFunction> functions = List.of(branin(), hartmann6(), conditional());
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        for (TestFunction fn : functions) {
            Map<String, Sampler> samplers = new LinkedHashMap<>();
            samplers.put("java-tpe", TpeSampler.withDefaults());
            samplers.put("java-tpe-univariate", TpeSampler.univariate());
            samplers.put("java-random", new RandomSampler());
            for (Map.Entry<String, Sampler> s : samplers.entrySet()) {
                List<double[]> runs = new ArrayList<>();
                for (int seed = 0; seed < seeds; seed++) {
                    runs.add(curve(s.getValue(), fn, seed));
                }
                curves.put(fn.name() + "/" + s.getKey(), runs);
            }
            grid(fn).ifPresent(g -> curves.put(fn.name() + "/java-grid", List.of(g)));
            say.accept("Java samplers done on " + fn.name());
        }
        say.accept("running Optuna (" + seeds + " seeds x " + trials + " trials per function and sampler)");
        curves.putAll(optuna(functions));
        StringBuilder t = new StringBuilder("| function | sampler |");
        for (int c : CHECKPOINTS) {
            t.append(" median best after ").append(c).append(" |");
        }
        t.append("\n|---|---|").append("---:|".repeat(CHECKPOINTS.length)).append('\n');
        for (TestFunction fn : functions) {
            for (String sampler : List.of("java-tpe", "optuna-tpe", "java-tpe-univariate", "optuna-tpe-univariate",
                    "java-random", "optuna-random", "java-grid")) {
                List<double[]> runs = curves.get(fn.name() + "/" + sampler);
                if (runs == null) {
                    continue;
                }
                t.append("| ").append(fn.name()).append(" | ").append(sampler).append(" |");
                for (int c : CHECKPOINTS) {
                    double[] at = runs.stream().mapToDouble(r -> r[Math.min(c, r.length) - 1]).toArray();
                    t.append(String.format(" %.4f |", median(at)));
                }
                t.append('\n');
            }
        }
        return t.toString();
    }

    private double[] curve(Sampler sampler, TestFunction fn, long seed) {
        Random random = new Random(seed);
        List<Observation> done = new ArrayList<>();
        double[] best = new double[trials];
        double b = Double.POSITIVE_INFINITY;
        for (int i = 0; i < trials; i++) {
            Map<String, Object> p = sampler.propose(fn.space(), done, random);
            double v = fn.f().applyAsDouble(p);
            done.add(new Observation(p, v));
            b = Math.min(b, v);
            best[i] = b;
        }
        return best;
    }

    /**
     * A grid of k points per dimension at the centres of k equal cells, k the largest with k^d <= trials (at least 2),
     * walked in the
     * grid's order (one run: a grid has no seed); none for a space with categorical or integer parameters.
     */
    private java.util.Optional<double[]> grid(TestFunction fn) {
        List<Parameter> ps = fn.space().parameters();
        if (!ps.stream().allMatch(p -> p instanceof Parameter.Continuous)) {
            return java.util.Optional.empty();
        }
        // At least two values a dimension: a grid of one point is no search (six dimensions get 64, cut at the budget).
        int k = Math.max(2, (int) Math.floor(Math.pow(trials, 1.0 / ps.size()) + 1e-9));
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (Parameter p : ps) {
            Parameter.Continuous c = (Parameter.Continuous) p;
            List<Double> v = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                v.add(c.low() + (i + 0.5) * (c.high() - c.low()) / k);
            }
            values.put(p.name(), v);
        }
        List<Map<String, Object>> points = new Grid(fn.space(), values).points();
        double[] best = new double[Math.min(trials, points.size())];
        double b = Double.POSITIVE_INFINITY;
        for (int i = 0; i < best.length; i++) {
            b = Math.min(b, fn.f().applyAsDouble(points.get(i)));
            best[i] = b;
        }
        return java.util.Optional.of(best);
    }

    private Map<String, List<double[]>> optuna(List<TestFunction> functions) throws IOException,
            InterruptedException {
        List<String> command = List.of(python.toString(), script.toString(), String.join(",", functions.stream().map(
                TestFunction::name).toList()), Integer.toString(seeds), Integer.toString(trials));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("search.py failed (is Optuna installed in " + python + "?)");
        }
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        JsonNode json = new ObjectMapper().readTree(out);
        json.fields().forEachRemaining(e -> {
            List<double[]> runs = new ArrayList<>();
            e.getValue().forEach(run -> {
                double[] c = new double[run.size()];
                for (int i = 0; i < c.length; i++) {
                    c[i] = run.get(i).asDouble();
                }
                runs.add(c);
            });
            curves.put(e.getKey(), runs);
        });
        return curves;
    }

    static TestFunction branin() {
        SearchSpace space = new SearchSpace(List.of(real("x1", -5, 10), real("x2", 0, 15)));
        return new TestFunction("branin", space, p -> {
            double x1 = (Double) p.get("x1"), x2 = (Double) p.get("x2");
            double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, s = 1 / (8 * Math.PI);
            return Math.pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - s) * Math.cos(x1) + 10;
        });
    }

    static TestFunction hartmann6() {
        List<Parameter> ps = new ArrayList<>();
        for (int j = 0; j < 6; j++) {
            ps.add(real("x" + j, 0, 1));
        }
        return new TestFunction("hartmann6", new SearchSpace(ps), p -> {
            double sum = 0;
            for (int i = 0; i < 4; i++) {
                double inner = 0;
                for (int j = 0; j < 6; j++) {
                    double d = (Double) p.get("x" + j) - P[i][j] * 1e-4;
                    inner += A[i][j] * d * d;
                }
                sum += ALPHA[i] * Math.exp(-inner);
            }
            return -sum;
        });
    }

    static TestFunction conditional() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.Categorical("strategy", List.of("FULL", "LORA",
                "HEAD_ONLY"), Optional.empty()), new Parameter.Continuous("learningRate", 1e-5, 1e-1, true,
                        Optional
                                .empty()),
                new Parameter.Discrete("loraRank", 1, 64, true, Optional.of(
                        new Parameter.Condition("strategy", List.of("LORA"))))));
        return new TestFunction("conditional", space, p -> {
            double lr = Math.log10((Double) p.get("learningRate"));
            return switch ((String) p.get("strategy")) {
                case "LORA" -> Math.pow(lr + 3, 2) + Math.pow(Math.log((Integer) p.get("loraRank")) / Math.log(2) - 3,
                        2) / 4;
                case "FULL" -> Math.pow(lr + 4, 2) + 0.5;
                default -> Math.pow(lr + 2.5, 2) + 1.0;
            };
        });
    }

    private static Parameter real(String name, double low, double high) {
        return new Parameter.Continuous(name, low, high, false, Optional.empty());
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : 0.5 * (v[v.length / 2 - 1] + v[v.length / 2]);
    }
}
