package io.finetide.evaluation.robustness;

import java.util.ArrayList;
import java.util.List;

import io.finetide.evaluation.judging.JudgedExample;
import io.finetide.evaluation.judging.JudgedModel;
import io.finetide.evaluation.judging.Predictions;

/**
 * How often a model changes its answer under each perturbation of the golden examples: a classifier its label, a
 * tagger any tag of a word the perturbation kept. Candidate and champion see the same perturbed examples.
 */
public final class FlipRates {

    /**
     * @param examples       golden examples the perturbation changed
     * @param championFlips  NaN without a champion
     * @param example        one perturbed text, to show what the perturbation does
     */
    public record Result(Perturbation perturbation, int examples, double candidateFlips, double championFlips,
            String example) {
    }

    /** One model under test: its predictions on the original examples, and the model to ask again. */
    public record Subject(JudgedModel model, Predictions original) {
    }

    private FlipRates() {
    }

    /**
     * @param golden   the examples perturbed, in order (their positions in {@code original})
     * @param champion null without a champion
     */
    public static List<Result> measure(List<JudgedExample> golden, boolean tagging, Subject candidate,
            Subject champion, long seed) {
        Perturbation.EntityPool pool = tagging
                ? Perturbation.EntityPool.of(golden.stream().map(JudgedExample::words).toList(), golden.stream().map(
                        JudgedExample::tags).toList())
                : Perturbation.EntityPool.NONE;
        List<Result> out = new ArrayList<>();
        for (Perturbation p : Perturbation.forTask(tagging)) {
            List<Integer> positions = new ArrayList<>();
            List<Perturbed> perturbed = new ArrayList<>();
            for (int i = 0; i < golden.size(); i++) {
                JudgedExample e = golden.get(i);
                int at = i;
                p.perturb(e.words(), tagging ? e.tags() : List.of(), seed, i, pool).ifPresent(x -> {
                    positions.add(at);
                    perturbed.add(x);
                });
            }
            if (perturbed.isEmpty()) {
                out.add(new Result(p, 0, 0, champion == null ? Double.NaN : 0, ""));
                continue;
            }
            // A pair's first text is perturbed; its second stays as it was.
            List<String> textPairs = JudgedModel.textPairs(positions.stream().map(golden::get).toList());
            double candidateFlips = flipRate(candidate, positions, perturbed, textPairs);
            double championFlips = champion == null
                    ? Double.NaN
                    : flipRate(champion, positions, perturbed, textPairs);
            out.add(new Result(p, perturbed.size(), candidateFlips, championFlips, perturbed.get(0).text()));
        }
        return out;
    }

    private static double flipRate(Subject s, List<Integer> positions, List<Perturbed> perturbed,
            List<String> textPairs) {
        Predictions after = s.model().predict(perturbed.stream().map(Perturbed::text).toList(), textPairs, perturbed
                .stream()
                .map(Perturbed::words).toList());
        int flips = 0;
        for (int k = 0; k < perturbed.size(); k++) {
            List<String> before = s.original().output(positions.get(k), s.model().labels());
            List<String> now = after.output(k, s.model().labels());
            flips += flipped(before, now, perturbed.get(k), after.tagging()) ? 1 : 0;
        }
        return flips / (double) perturbed.size();
    }

    /** A label that changed, or a tag of a kept word that changed. */
    public static boolean flipped(List<String> before, List<String> now, Perturbed perturbed, boolean tagging) {
        if (!tagging) {
            return !before.equals(now);
        }
        for (int w = 0; w < now.size(); w++) {
            int from = perturbed.origin()[w];
            if (from >= 0 && !before.get(from).equals(now.get(w))) {
                return true;
            }
        }
        return false;
    }
}
