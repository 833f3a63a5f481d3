package io.finetide.model.search;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters a study searches, parents before the parameters conditional on them.
 */
public record SearchSpace(List<Parameter> parameters) {

    public SearchSpace {
        parameters = List.copyOf(parameters);
        Map<String, Parameter> seen = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            if (seen.put(p.name(), p) != null) {
                throw new IllegalArgumentException("parameter " + p.name() + " appears twice");
            }
            p.condition().ifPresent(c -> {
                if (!(seen.get(c.parent()) instanceof Parameter.Categorical parent)) {
                    throw new IllegalArgumentException(p.name() + ": its parent " + c.parent()
                            + " must be a categorical parameter listed before it");
                } else if (!parent.choices().containsAll(c.values())) {
                    throw new IllegalArgumentException(p.name() + ": " + c.values() + " are not all choices of "
                            + c.parent());
                }
            });
        }
    }

    /** Whether {@code p} is active given the values chosen so far (its parent's among them). */
    public static boolean active(Parameter p, Map<String, Object> chosen) {
        return p.condition().map(c -> chosen.containsKey(c.parent()) && c.values().contains(chosen.get(c.parent())))
                .orElse(true);
    }
}
