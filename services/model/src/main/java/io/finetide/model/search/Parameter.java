package io.finetide.model.search;

import java.util.List;
import java.util.Optional;

/**
 * One dimension of a search space. A parameter may be conditional: active only while a categorical parent takes one
 * of some values (LoRA's rank only when the strategy is LoRA); an inactive parameter has no value in a trial.
 */
public sealed interface Parameter {

    String name();

    Optional<Condition> condition();

    /** Active only while {@code parent} has one of {@code values}. */
    record Condition(String parent, List<String> values) {
        public Condition {
            values = List.copyOf(values);
        }
    }

    /** A real number in [low, high], searched on a log scale when {@code log} (then low must be positive). */
    record Continuous(String name, double low, double high, boolean log,
            Optional<Condition> condition) implements Parameter {
        public Continuous {
            if (!(low < high) || log && low <= 0) {
                throw new IllegalArgumentException(name + ": needs low < high" + (log ? " and low > 0" : ""));
            }
        }
    }

    /** An integer in [low, high], on a log scale when {@code log}. */
    record Discrete(String name, int low, int high, boolean log, Optional<Condition> condition) implements Parameter {
        public Discrete {
            if (low > high || log && low <= 0) {
                throw new IllegalArgumentException(name + ": needs low <= high" + (log ? " and low > 0" : ""));
            }
        }
    }

    /** One of several named choices. */
    record Categorical(String name, List<String> choices, Optional<Condition> condition) implements Parameter {
        public Categorical {
            choices = List.copyOf(choices);
            if (choices.isEmpty() || choices.stream().distinct().count() != choices.size()) {
                throw new IllegalArgumentException(name + ": needs distinct choices");
            }
        }
    }
}
