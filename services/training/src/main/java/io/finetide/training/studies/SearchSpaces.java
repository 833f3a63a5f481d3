package io.finetide.training.studies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.finetide.model.search.Parameter;
import io.finetide.model.search.SearchSpace;
import io.finetide.platform.search.StudySpecs;
import io.finetide.platform.search.Tunable;
import io.finetide.proto.v1.SearchParameter;
import io.finetide.proto.v1.StudySpec;

/**
 * A study's parameters as the model library's samplers see them, and their values back as a task takes them. A
 * numeric parameter given as a list of values (batch sizes, a grid's learning rates) is a choice among the values'
 * texts to the samplers; a trial stores every value as the task takes it ({@link Double}, {@link Integer},
 * {@link String}).
 */
final class SearchSpaces {

    private SearchSpaces() {
    }

    /** @param spec a spec without problems ({@link StudySpecs#problems}) */
    static SearchSpace of(StudySpec spec) {
        List<Parameter> out = new ArrayList<>();
        for (SearchParameter sp : spec.getParametersList()) {
            Tunable t = tunable(sp);
            Optional<Parameter.Condition> when = sp.getParent().isEmpty()
                    ? Optional.empty()
                    : Optional.of(new Parameter.Condition(sp.getParent(), sp.getParentValuesList()));
            if (t.kind() == Tunable.Kind.CHOICE) {
                out.add(new Parameter.Categorical(sp.getName(), StudySpecs.choices(sp), when));
            } else if (sp.getValuesCount() > 0) {
                out.add(new Parameter.Categorical(sp.getName(), sp.getValuesList().stream().map(v -> text(t, v))
                        .toList(), when));
            } else if (t.kind() == Tunable.Kind.INTEGER) {
                out.add(new Parameter.Discrete(sp.getName(), (int) sp.getLow(), (int) sp.getHigh(), sp.getLog(),
                        when));
            } else {
                out.add(new Parameter.Continuous(sp.getName(), sp.getLow(), sp.getHigh(), sp.getLog(), when));
            }
        }
        return new SearchSpace(out);
    }

    /** A sampler's proposal as the task takes it. */
    static Map<String, Object> toTask(Map<String, Object> proposed) {
        Map<String, Object> out = new LinkedHashMap<>();
        proposed.forEach((name, v) -> {
            Tunable t = Tunable.named(name).orElseThrow();
            out.put(name, switch (t.kind()) {
                case REAL -> v instanceof Number n ? n.doubleValue() : Double.parseDouble((String) v);
                case INTEGER -> v instanceof Number n ? n.intValue() : (int) Double.parseDouble((String) v);
                case CHOICE -> v;
            });
        });
        return out;
    }

    /**
     * A stored trial's values as the samplers of {@code space} see them; a value this space cannot hold (an earlier
     * study searched it differently, or over another range) is left out, and the estimators learn that parameter
     * from the other trials.
     */
    static Map<String, Object> toSampler(SearchSpace space, Map<String, Object> stored) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Parameter p : space.parameters()) {
            Object v = stored.get(p.name());
            if (v == null) {
                continue;
            }
            Tunable t = Tunable.named(p.name()).orElseThrow();
            if (p instanceof Parameter.Categorical c) {
                String s = v instanceof Number n ? text(t, n.doubleValue()) : v.toString();
                if (c.choices().contains(s)) {
                    out.put(p.name(), s);
                }
            } else if (p instanceof Parameter.Discrete d && v instanceof Number n && n.doubleValue() >= d.low() && n
                    .doubleValue() <= d.high()) {
                out.put(p.name(), n.intValue());
            } else if (p instanceof Parameter.Continuous c && v instanceof Number n && n.doubleValue() >= c.low() && n
                    .doubleValue() <= c.high()) {
                out.put(p.name(), n.doubleValue());
            }
        }
        return out;
    }

    private static String text(Tunable t, double v) {
        return t.kind() == Tunable.Kind.INTEGER ? Integer.toString((int) v) : Double.toString(v);
    }

    private static Tunable tunable(SearchParameter sp) {
        return Tunable.named(sp.getName()).orElseThrow(() -> new IllegalArgumentException("unknown parameter "
                + sp.getName()));
    }
}
