package io.finetide.preprocessing.snapshot;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import io.finetide.platform.events.Hashing;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.SplitRatios;

/**
 * Assigns splits. Plain: from a hash of task and example id, so the same example always lands in the same split
 * whatever the order of arrival or the number of examples. Stratified (per task, optional): each label's examples
 * go to the split furthest below its share for that label, ties broken by the same hash; each label then follows the
 * ratios within one example, at the price of depending on arrival order. Either way the split is stored with the
 * example when it is first prepared and never recomputed, so a test example can never later become a training
 * example.
 */
public final class Splitter {

    private static final Split[] ORDER = {Split.TRAIN, Split.VALIDATION, Split.TEST};

    /** Per label, how many examples each split holds; seeded from the store when a task is first seen. */
    private final Map<String, Map<Split, Long>> perLabel = new HashMap<>();

    public static Split assign(String task, String exampleId, SplitRatios ratios) {
        double u = Hashing.unitInterval(task + "\u0000" + exampleId);
        if (u < ratios.getTrain()) {
            return Split.TRAIN;
        }
        if (u < ratios.getTrain() + ratios.getValidation()) {
            return Split.VALIDATION;
        }
        return Split.TEST;
    }

    public void seed(String label, Split split, long count) {
        perLabel.computeIfAbsent(label, l -> new EnumMap<>(Split.class)).merge(split, count, Long::sum);
    }

    public Split assignStratified(String task, String exampleId, String label, SplitRatios ratios) {
        Map<Split, Long> counts = perLabel.computeIfAbsent(label, l -> new EnumMap<>(Split.class));
        long n = counts.values().stream().mapToLong(Long::longValue).sum() + 1;
        Split preferred = assign(task, exampleId, ratios);
        Split best = null;
        double bestDeficit = Double.NEGATIVE_INFINITY;
        for (Split s : ORDER) {
            double deficit = share(ratios, s) * n - counts.getOrDefault(s, 0L);
            // The hash's choice wins ties, so small sets look like the plain assignment.
            if (deficit > bestDeficit + 1e-9 || (Math.abs(deficit - bestDeficit) <= 1e-9 && s == preferred)) {
                best = s;
                bestDeficit = deficit;
            }
        }
        counts.merge(best, 1L, Long::sum);
        return best;
    }

    private static double share(SplitRatios r, Split s) {
        return switch (s) {
            case TRAIN -> r.getTrain();
            case VALIDATION -> r.getValidation();
            default -> r.getTest();
        };
    }
}
