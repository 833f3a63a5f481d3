package io.finetide.platform.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.SearchParameter;
import io.finetide.proto.v1.StudyPruner;
import io.finetide.proto.v1.StudySampler;
import io.finetide.proto.v1.StudySpec;

/** A study's defaults, every problem of a spec at once, and a trial's values put into hyper-parameters. */
public final class StudySpecs {

    public static final int DEFAULT_PARALLELISM = 1;
    public static final int DEFAULT_REDUCTION_FACTOR = 3;
    /** More than this many trials in one study is a mistake, not a plan. */
    public static final int MAX_TRIALS = 10_000;

    private StudySpecs() {
    }

    public static StudySpec withDefaults(StudySpec in) {
        StudySpec.Builder b = in.toBuilder();
        if (b.getSampler() == StudySampler.STUDY_SAMPLER_UNSPECIFIED) {
            b.setSampler(StudySampler.TPE);
        }
        if (b.getPruner() == StudyPruner.STUDY_PRUNER_UNSPECIFIED) {
            b.setPruner(StudyPruner.NONE);
        }
        if (b.getParallelism() == 0) {
            b.setParallelism(DEFAULT_PARALLELISM);
        }
        if (b.getReductionFactor() == 0) {
            b.setReductionFactor(DEFAULT_REDUCTION_FACTOR);
        }
        return b.build();
    }

    /** Every problem of a defaulted spec, each naming the parameter or field and the rule it breaks. */
    public static List<String> problems(StudySpec s) {
        List<String> p = new ArrayList<>();
        if (s.getParametersCount() == 0) {
            p.add("parameters: at least one is needed");
        }
        Map<String, SearchParameter> seen = new HashMap<>();
        for (SearchParameter sp : s.getParametersList()) {
            String at = "parameters." + sp.getName();
            Optional<Tunable> t = Tunable.named(sp.getName());
            if (t.isEmpty()) {
                p.add(at + ": unknown; searchable are " + String.join(", ", Tunable.names()));
            } else if (seen.containsKey(sp.getName())) {
                p.add(at + ": appears twice");
            } else {
                p.addAll(rangeProblems(at, t.get(), sp));
            }
            if (!sp.getParent().isEmpty() || sp.getParentValuesCount() > 0) {
                SearchParameter parent = seen.get(sp.getParent());
                if (parent == null) {
                    p.add(at + ": its parent '" + sp.getParent() + "' must be a parameter listed before it");
                } else if (Tunable.named(parent.getName()).map(pt -> pt.kind() != Tunable.Kind.CHOICE).orElse(true)) {
                    p.add(at + ": its parent '" + sp.getParent() + "' must be a choice (like fineTuning.strategy)");
                } else if (sp.getParentValuesCount() == 0 || !choices(parent).containsAll(sp.getParentValuesList())) {
                    p.add(at + ": parentValues " + sp.getParentValuesList() + " must be among " + choices(parent));
                }
            }
            seen.putIfAbsent(sp.getName(), sp);
        }
        if (s.getTrials() < 0 || s.getTrials() > MAX_TRIALS) {
            p.add("trials must be in [0, " + MAX_TRIALS + "]");
        }
        if (s.getMaxMinutes() < 0) {
            p.add("maxMinutes must be >= 0");
        }
        if (s.getTrials() == 0 && s.getMaxMinutes() == 0) {
            p.add("trials or maxMinutes: a study needs a trial count, a time budget or both");
        }
        if (s.getParallelism() < 1 || s.getParallelism() > 64) {
            p.add("parallelism must be in [1, 64]");
        }
        if (s.getReductionFactor() < 2) {
            p.add("reductionFactor must be >= 2");
        }
        if (s.getSampler() == StudySampler.UNRECOGNIZED || s.getPruner() == StudyPruner.UNRECOGNIZED) {
            p.add("sampler must be GRID, RANDOM or TPE and pruner NONE, MEDIAN or SUCCESSIVE_HALVING");
        }
        if (s.getSampler() == StudySampler.GRID && p.isEmpty()) {
            long size = gridSize(s.getParametersList(), 0, new HashMap<>());
            if (size < 0) {
                p.add("sampler GRID: every real parameter needs its values listed (a range has no grid)");
            } else if (s.getTrials() > 0 && size > s.getTrials()) {
                p.add("sampler GRID: the grid has " + size + " points, more than the " + s.getTrials() + " trials");
            }
        }
        return p;
    }

    private static List<String> rangeProblems(String at, Tunable t, SearchParameter sp) {
        List<String> p = new ArrayList<>();
        if (t.kind() == Tunable.Kind.CHOICE) {
            if (sp.getValuesCount() > 0 || sp.getLow() != 0 || sp.getHigh() != 0 || sp.getLog()) {
                p.add(at + ": a choice takes choices, not a range or values");
            }
            Set<String> distinct = new HashSet<>();
            for (String c : sp.getChoicesList()) {
                if (!t.choices().contains(c)) {
                    p.add(at + ": '" + c + "' is not one of " + t.choices());
                } else if (!distinct.add(c)) {
                    p.add(at + ": '" + c + "' appears twice");
                }
            }
            return p;
        }
        if (sp.getChoicesCount() > 0) {
            p.add(at + ": a number takes a range (low, high) or values, not choices");
        }
        if (sp.getValuesCount() > 0) {
            if (sp.getLow() != 0 || sp.getHigh() != 0 || sp.getLog()) {
                p.add(at + ": give values or a range, not both");
            }
            if (sp.getValuesList().stream().distinct().count() != sp.getValuesCount()) {
                p.add(at + ": values repeat");
            }
            sp.getValuesList().forEach(v -> p.addAll(bounds(at, t, v)));
            if (t.kind() == Tunable.Kind.INTEGER && sp.getValuesList().stream().anyMatch(v -> v != Math.rint(v))) {
                p.add(at + ": values must be whole numbers");
            }
            return p;
        }
        if (!(sp.getLow() < sp.getHigh()) && !(t.kind() == Tunable.Kind.INTEGER && sp.getLow() == sp.getHigh())) {
            p.add(at + ": the range is empty (low " + sp.getLow() + " must be below high " + sp.getHigh() + ")");
        }
        if (sp.getLog() && sp.getLow() <= 0) {
            p.add(at + ": a log range needs low > 0");
        }
        if (t.kind() == Tunable.Kind.INTEGER && (sp.getLow() != Math.rint(sp.getLow()) || sp.getHigh() != Math.rint(sp
                .getHigh()))) {
            p.add(at + ": low and high must be whole numbers");
        }
        p.addAll(bounds(at, t, sp.getLow()));
        p.addAll(bounds(at, t, sp.getHigh()));
        return p;
    }

    private static List<String> bounds(String at, Tunable t, double v) {
        boolean exclusiveMin = t == Tunable.LEARNING_RATE || t == Tunable.LAYER_LR_DECAY;
        if (v < t.min() || exclusiveMin && v <= t.min() || v > t.max()) {
            return List.of(at + ": " + v + " is outside what a task accepts (" + (exclusiveMin ? "(" : "[") + t.min()
                    + ", " + t.max() + "])");
        }
        return List.of();
    }

    /** A choice parameter's choices: those listed, or all of its kind's. */
    public static List<String> choices(SearchParameter sp) {
        return sp.getChoicesCount() > 0
                ? sp.getChoicesList()
                : Tunable.named(sp.getName()).map(Tunable::choices).orElse(List.of());
    }

    /** How many points a grid over these parameters has, walking conditions as a tree; -1 when a range is real. */
    private static long gridSize(List<SearchParameter> ps, int i, Map<String, String> chosen) {
        if (i == ps.size()) {
            return 1;
        }
        SearchParameter sp = ps.get(i);
        if (!sp.getParent().isEmpty() && !sp.getParentValuesList().contains(chosen.get(sp.getParent()))) {
            return gridSize(ps, i + 1, chosen);
        }
        Tunable t = Tunable.named(sp.getName()).orElseThrow();
        if (t.kind() != Tunable.Kind.CHOICE) {
            long n = sp.getValuesCount() > 0
                    ? sp.getValuesCount()
                    : t.kind() == Tunable.Kind.INTEGER ? (long) (sp.getHigh() - sp.getLow()) + 1 : -1;
            long rest = gridSize(ps, i + 1, chosen);
            return n < 0 || rest < 0 ? -1 : Math.min(n * rest, Long.MAX_VALUE / 2);
        }
        long total = 0;
        for (String c : choices(sp)) {
            chosen.put(sp.getName(), c);
            long sub = gridSize(ps, i + 1, chosen);
            if (sub < 0) {
                return -1;
            }
            total += sub;
        }
        chosen.remove(sp.getName());
        return total;
    }

    /**
     * The task's hyper-parameters with a trial's values in, applied in {@link Tunable}'s order (so that a strategy
     * clears its predecessor's settings before its own children are set); names not {@link Tunable} are ignored.
     */
    public static HyperParameters apply(HyperParameters base, Map<String, Object> values) {
        HyperParameters.Builder b = base.toBuilder();
        for (Tunable t : Tunable.values()) {
            if (values.containsKey(t.jsonName())) {
                t.apply(b, values.get(t.jsonName()));
            }
        }
        return b.build();
    }

    /** Values from their text (a study's event), names not {@link Tunable} left out. */
    public static Map<String, Object> fromText(Map<String, String> text) {
        Map<String, Object> out = new LinkedHashMap<>();
        text.forEach((name, v) -> Tunable.named(name).ifPresent(t -> out.put(name, t.parse(v))));
        return out;
    }

    /** The values as text, for events and people: {@code 3.0E-5}, {@code 16}, {@code LORA}. */
    public static Map<String, String> asText(Map<String, Object> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
