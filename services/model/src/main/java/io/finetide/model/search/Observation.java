package io.finetide.model.search;

import java.util.Map;

/**
 * A finished trial as a sampler sees it: the values its active parameters took ({@link Double} for continuous,
 * {@link Integer} for discrete, {@link String} for categorical) and the objective to minimise (a metric to maximise
 * goes in negated).
 */
public record Observation(Map<String, Object> parameters, double value) {

    public Observation {
        parameters = Map.copyOf(parameters);
    }
}
