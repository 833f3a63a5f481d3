package io.finetide.model.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every combination of a space's values, walked as a tree: a conditional parameter multiplies only the branches where
 * it is active, so LoRA's four ranks and the full strategy make five points, not eight. Categorical parameters take
 * each choice, integers each value of their range, real parameters the values listed for them (a continuous range has
 * no grid of its own).
 */
public final class Grid {

    private final List<Map<String, Object>> points;

    /** @param realValues the grid's values of each continuous parameter */
    public Grid(SearchSpace space, Map<String, List<Double>> realValues) {
        List<Map<String, Object>> out = new ArrayList<>();
        walk(space.parameters(), 0, new LinkedHashMap<>(), realValues, out);
        this.points = List.copyOf(out);
    }

    /** The points in a fixed order: the space's first parameter varies slowest. */
    public List<Map<String, Object>> points() {
        return points;
    }

    public int size() {
        return points.size();
    }

    /** The values a parameter takes in a grid, or why it has none. */
    public static List<Object> values(Parameter p, Map<String, List<Double>> realValues) {
        if (p instanceof Parameter.Categorical c) {
            return List.copyOf(c.choices());
        }
        if (p instanceof Parameter.Discrete d) {
            List<Object> out = new ArrayList<>();
            for (int v = d.low(); v <= d.high(); v++) {
                out.add(v);
            }
            return out;
        }
        Parameter.Continuous c = (Parameter.Continuous) p;
        List<Double> listed = realValues.get(c.name());
        if (listed == null || listed.isEmpty()) {
            throw new IllegalArgumentException(c.name() + ": a grid needs the values of a real parameter listed");
        }
        for (double v : listed) {
            if (v < c.low() || v > c.high()) {
                throw new IllegalArgumentException(c.name() + ": grid value " + v + " is outside [" + c.low() + ", "
                        + c.high() + "]");
            }
        }
        return List.copyOf(listed);
    }

    private static void walk(List<Parameter> ps, int i, Map<String, Object> chosen,
            Map<String, List<Double>> realValues, List<Map<String, Object>> out) {
        if (i == ps.size()) {
            out.add(Map.copyOf(chosen));
            return;
        }
        Parameter p = ps.get(i);
        if (!SearchSpace.active(p, chosen)) {
            walk(ps, i + 1, chosen, realValues, out);
            return;
        }
        for (Object v : values(p, realValues)) {
            chosen.put(p.name(), v);
            walk(ps, i + 1, chosen, realValues, out);
            chosen.remove(p.name());
        }
    }
}
