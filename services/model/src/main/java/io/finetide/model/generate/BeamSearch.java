package io.finetide.model.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import io.finetide.model.graph.CachedDecoder;
import io.finetide.model.graph.DecodingGraph;

/**
 * Beam search as Hugging Face's transformers 5 runs it with its defaults (length penalty 1, early stopping off), so
 * that the same model and prompt give the same tokens: each step takes the 2 x width best continuations of the
 * running beams by total log-probability; those among the best width that end (the end-of-text token, a stop rule,
 * the length) join the finished ones, scored by log-probability over generated length to the length penalty, and the
 * best width of the others run on. The search ends when the best running beam, scored at its current length, cannot
 * beat the worst of a full set of finished ones.
 */
final class BeamSearch {

    private record Beam(int[] tokens, double logProbability) {
    }

    private record Candidate(int row, int token, double logProbability) {
    }

    private record Finished(int[] tokens, double score, double logProbability, Finish finish) {
    }

    private BeamSearch() {
    }

    static Generation run(CachedDecoder graph, int[] prompt, int endOfText, GenerationSettings settings,
            StopRule stop, TokenListener listener) {
        int width = settings.beamWidth();
        int maxPositions = graph.config().maxPositions();
        List<Beam> running = List.of(new Beam(new int[0], 0));
        List<Finished> finished = new ArrayList<>();
        boolean improvable = true;
        DecodingGraph.Step step = graph.start(new int[][]{prompt});
        try {
            for (int generated = 0;; generated++) {
                List<Candidate> candidates = best(step.logits(), running, 2 * width);
                List<Beam> next = new ArrayList<>();
                int[] order = new int[width];
                for (int rank = 0; rank < candidates.size(); rank++) {
                    Candidate c = candidates.get(rank);
                    int[] tokens = Arrays.copyOf(running.get(c.row()).tokens(), generated + 1);
                    tokens[generated] = c.token();
                    Finish finish = c.token() == endOfText
                            ? Finish.END_OF_TEXT
                            : stop.reached(tokens)
                                    ? Finish.STOP
                                    : generated + 1 == settings.maxNewTokens()
                                            || step.cache().length() + 1 > maxPositions
                                                    ? Finish.LENGTH
                                                    : null;
                    if (finish == null) {
                        if (next.size() < width) {
                            order[next.size()] = c.row();
                            next.add(new Beam(tokens, c.logProbability()));
                        }
                    } else if (rank < width && improvable) {
                        int[] kept = finish == Finish.END_OF_TEXT ? Arrays.copyOf(tokens, generated) : tokens;
                        finished.add(new Finished(kept, c.logProbability() / Math.pow(generated + 1, settings
                                .lengthPenalty()), c.logProbability(), finish));
                    }
                }
                finished.sort(Comparator.comparingDouble(Finished::score).reversed());
                if (finished.size() > width) {
                    finished.subList(width, finished.size()).clear();
                }
                if (next.isEmpty()) {
                    break;
                }
                if (finished.size() == width) {
                    double bestPossible = next.get(0).logProbability() / Math.pow(generated + 1, settings
                            .lengthPenalty());
                    improvable &= bestPossible > finished.get(width - 1).score();
                }
                if (!improvable) {
                    break;
                }
                int[] last = next.stream().mapToInt(b -> b.tokens()[b.tokens().length - 1]).toArray();
                DecodingGraph.Step following = graph.next(step.cache(), Arrays.copyOf(order, next.size()), last);
                step.cache().close();
                step = following;
                running = next;
            }
        } finally {
            step.cache().close();
        }
        Finished best = finished.get(0);
        for (int t : best.tokens()) {
            listener.token(t);
        }
        return new Generation(best.tokens(), best.finish(), best.logProbability());
    }

    /** The {@code k} continuations of the running beams with the highest total log-probability, best first. */
    private static List<Candidate> best(float[][] logits, List<Beam> running, int k) {
        List<Candidate> all = new ArrayList<>();
        for (int row = 0; row < running.size(); row++) {
            double[] lp = Distributions.logProbabilities(logits[row]);
            // The overall best k hold at most k of one row: a row's own best k are all that can take part.
            for (int v : Distributions.largest(lp, k)) {
                all.add(new Candidate(row, v, running.get(row).logProbability() + lp[v]));
            }
        }
        all.sort(Comparator.comparingDouble(Candidate::logProbability).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }
}
