package io.finetide.model.search;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Independent uniform draws: on the log scale for log parameters, every choice equally likely. */
public final class RandomSampler implements Sampler {

    @Override
    public Map<String, Object> propose(SearchSpace space, List<Observation> finished, Random random) {
        Map<String, Object> chosen = new LinkedHashMap<>();
        for (Parameter p : space.parameters()) {
            if (SearchSpace.active(p, chosen)) {
                chosen.put(p.name(), draw(p, random));
            }
        }
        return chosen;
    }

    static Object draw(Parameter p, Random random) {
        if (p instanceof Parameter.Categorical c) {
            return c.choices().get(random.nextInt(c.choices().size()));
        }
        Scale s = Scale.of(p);
        return s.fromInternal(s.low() + random.nextDouble() * (s.high() - s.low()));
    }
}
