package io.finetide.training.studies;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import io.finetide.model.search.Grid;
import io.finetide.model.search.Observation;
import io.finetide.model.search.RandomSampler;
import io.finetide.model.search.SearchSpace;
import io.finetide.model.search.TpeSampler;
import io.finetide.proto.v1.StudySpec;
import io.finetide.training.store.TrialRecord;

/**
 * The values of a study's next trial. A grid hands out its points in order; random search and TPE draw from a
 * generator seeded by the study's seed and the trial's number, so that the same study proposes the same trials whoever
 * proposes them. TPE learns from every finished trial of the task's studies (this one's, and earlier ones': a warm
 * start), a pruned trial counting with the best figure it reached.
 */
final class Proposals {

    private Proposals() {
    }

    /** @return empty when a grid has no point left for this number */
    static Optional<Map<String, Object>> next(StudySpec spec, int number, List<TrialRecord> finished) {
        SearchSpace space = SearchSpaces.of(spec);
        Random random = new Random(mix(spec.getSeed() * 1_000_003L + number));
        return switch (spec.getSampler()) {
            case GRID -> {
                List<Map<String, Object>> points = new Grid(space, Map.of()).points();
                yield number < points.size() ? Optional.of(SearchSpaces.toTask(points.get(number))) : Optional.empty();
            }
            case RANDOM -> Optional.of(SearchSpaces.toTask(new RandomSampler().propose(space, List.of(), random)));
            default -> Optional.of(SearchSpaces.toTask(TpeSampler.withDefaults().propose(space, observations(space,
                    finished), random)));
        };
    }

    /**
     * SplitMix64's finaliser: java.util.Random's first draws from nearby seeds are nearly equal, so consecutive trial
     * numbers would propose nearly the same values.
     */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** How many trials a study has room for: a grid's size bounds it besides the trial budget. */
    static int budget(StudySpec spec) {
        int trials = spec.getTrials() == 0 ? Integer.MAX_VALUE : spec.getTrials();
        return switch (spec.getSampler()) {
            case GRID -> Math.min(trials, new Grid(SearchSpaces.of(spec), Map.of()).size());
            default -> trials;
        };
    }

    /** Finished trials as the sampler minimises them: the negated figure. */
    static List<Observation> observations(SearchSpace space, List<TrialRecord> finished) {
        List<Observation> out = new ArrayList<>();
        for (TrialRecord t : finished) {
            if (!Double.isNaN(t.value())) {
                out.add(new Observation(SearchSpaces.toSampler(space, t.parameters()), -t.value()));
            }
        }
        return out;
    }
}
