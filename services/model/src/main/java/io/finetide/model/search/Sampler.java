package io.finetide.model.search;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** Proposes the next trial's parameters from those already finished. */
public interface Sampler {

    /** Values for every parameter of {@code space} active under the values chosen before it. */
    Map<String, Object> propose(SearchSpace space, List<Observation> finished, Random random);
}
