package io.finetide.evaluation.judging;

import java.util.Arrays;
import java.util.List;

import io.finetide.model.generate.GenerationSettings;
import io.finetide.model.infer.CompletionWriter;
import io.finetide.model.metrics.AnswerMatch;
import io.finetide.model.metrics.ChrF;
import io.finetide.model.metrics.RougeL;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.proto.v1.GenerationMetric;
import io.finetide.proto.v1.GenerationScores;
import io.finetide.proto.v1.Metrics;

/**
 * A generation model's completions of the test prompts (greedy decoding, at most the task's new tokens), each scored
 * against the example's own completion: ROUGE-L, chrF (0-1), exact match and token F1, and per example the score the
 * gate compares; and how likely the model finds the examples' own completions (perplexity). The candidate and the
 * champion write for the same prompts, so the scores pair up by position.
 *
 * @param logLikelihood the summed log-probability of the examples' own completions and their ends of text
 * @param tokens        how many tokens those are
 */
public record WrittenCompletions(List<String> written, double[] rougeL, double[] chrF, boolean[] exact,
        double[] tokenF1, double logLikelihood, long tokens) {

    public static WrittenCompletions write(CompletionWriter writer, List<SnapshotFile.Row> rows, int maxNewTokens) {
        int n = rows.size();
        String[] written = new String[n];
        double[] rouge = new double[n];
        double[] chrf = new double[n];
        boolean[] exact = new boolean[n];
        double[] f1 = new double[n];
        GenerationSettings greedy = GenerationSettings.greedy(maxNewTokens);
        double logLikelihood = 0;
        long tokens = 0;
        for (int i = 0; i < n; i++) {
            SnapshotFile.Row r = rows.get(i);
            CompletionWriter.Likelihood l = writer.likelihood(r.text(), r.completion());
            logLikelihood += l.logProbability();
            tokens += l.tokens();
            String w = writer.write(r.text(), greedy, List.of()).text();
            written[i] = w;
            rouge[i] = RougeL.score(r.completion(), w).f();
            chrf[i] = ChrF.sentence(w, r.completion()) / 100;
            exact[i] = AnswerMatch.exact(r.completion(), w);
            f1[i] = AnswerMatch.tokenF1(r.completion(), w);
        }
        return new WrittenCompletions(List.of(written), rouge, chrf, exact, f1, logLikelihood, tokens);
    }

    public int size() {
        return written.size();
    }

    /** Per example, the score the gate compares. */
    public double[] scores(GenerationMetric metric) {
        return switch (metric) {
            case CHRF -> chrF;
            case EXACT_MATCH -> toDoubles(exact);
            case TOKEN_F1 -> tokenF1;
            default -> rougeL;
        };
    }

    /** The mean scores as the verdict's metrics. */
    public Metrics metrics() {
        return Metrics.newBuilder().setExamples(size()).setGeneration(GenerationScores.newBuilder().setRougeL(mean(
                rougeL)).setChrf(mean(chrF)).setExactMatch(mean(toDoubles(exact))).setTokenF1(mean(tokenF1))
                .setPerplexity(perplexity())).build();
    }

    /** exp of the mean negative log-likelihood per token of the examples' own completions (0 with none). */
    public double perplexity() {
        return tokens == 0 ? 0 : Math.exp(-logLikelihood / tokens);
    }

    /** The mean of {@code values} at the sampled positions (a bootstrap resample, repeats allowed). */
    public static double mean(double[] values, int[] sample) {
        double sum = 0;
        for (int i : sample) {
            sum += values[i];
        }
        return sample.length == 0 ? 0 : sum / sample.length;
    }

    private static double mean(double[] values) {
        return values.length == 0 ? 0 : Arrays.stream(values).average().orElse(0);
    }

    private static double[] toDoubles(boolean[] flags) {
        double[] out = new double[flags.length];
        for (int i = 0; i < flags.length; i++) {
            out[i] = flags[i] ? 1 : 0;
        }
        return out;
    }
}
