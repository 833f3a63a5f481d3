package io.finetide.evaluation.gate;

import java.util.List;

import io.finetide.evaluation.judging.WrittenCompletions;
import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.CompletionWriter;
import io.finetide.model.metrics.McNemar;
import io.finetide.model.metrics.PairedBootstrap;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.Significance;

/**
 * The evidence for a generation candidate: the candidate and the champion write completions of the same test prompts;
 * the gate compares the task's generation metric with a paired bootstrap interval over the examples, and McNemar's
 * test counts the prompts only one of them answered exactly. No classes, slices, perturbations or calibration: those
 * are the classifiers'.
 */
final class CompletionEvidence {

    private CompletionEvidence() {
    }

    static Evidence collect(List<SnapshotFile.Row> rows, String testSet, ModelBundle candidate, ModelBundle champion,
            EvaluationSpec spec, long seed, int threads) {
        PromotionGate.Figure figure = PromotionGate.Figure.of(spec.getGenerationMetric());
        WrittenCompletions ours;
        try (CompletionWriter writer = CompletionWriter.load(candidate, threads)) {
            ours = WrittenCompletions.write(writer, rows, spec.getGenerationMaxNewTokens());
        }
        if (champion == null) {
            return new Evidence(figure, testSet, ours.metrics(), null, null, List.of(), List.of(), null, null, null,
                    null);
        }
        WrittenCompletions theirs;
        try (CompletionWriter writer = CompletionWriter.load(champion, threads)) {
            theirs = WrittenCompletions.write(writer, rows, spec.getGenerationMaxNewTokens());
        }
        Significance significance = null;
        if (ours.size() > 0) {
            McNemar mcnemar = McNemar.of(ours.exact(), theirs.exact());
            double[] a = ours.scores(spec.getGenerationMetric());
            double[] b = theirs.scores(spec.getGenerationMetric());
            PairedBootstrap interval = PairedBootstrap.difference(ours.size(), sample -> WrittenCompletions.mean(a,
                    sample), sample -> WrittenCompletions.mean(b, sample), spec.getBootstrapResamples(), spec
                            .getConfidence(),
                    seed);
            significance = Significance.newBuilder().setCandidateOnlyCorrect(mcnemar.candidateOnly())
                    .setChampionOnlyCorrect(mcnemar.championOnly()).setMcnemarPValue(mcnemar.pValue()).setDifference(
                            interval.estimate())
                    .setLower(interval.lower()).setUpper(interval.upper()).setConfidence(interval.confidence())
                    .setResamples(interval.resamples()).setSeed(seed).build();
        }
        return new Evidence(figure, testSet, ours.metrics(), theirs.metrics(), significance, List.of(), List.of(),
                null, null, null, null);
    }
}
