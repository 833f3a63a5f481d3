package io.finetide.evaluation.gate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.finetide.evaluation.judging.JudgedExample;
import io.finetide.evaluation.judging.JudgedModel;
import io.finetide.evaluation.judging.Predictions;
import io.finetide.evaluation.judging.ServingCosts;
import io.finetide.evaluation.judging.TestExamples;
import io.finetide.evaluation.robustness.FlipRates;
import io.finetide.model.metrics.Calibration;
import io.finetide.model.metrics.McNemar;
import io.finetide.model.metrics.PairedBootstrap;
import io.finetide.proto.v1.CalibrationReport;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.Significance;
import io.finetide.proto.v1.SliceMetrics;

/**
 * Runs candidate and champion over the same test examples and measures what the gate reads: the golden set's
 * figures, McNemar's test and the bootstrap interval, every slice and the recent set, the flip rates under
 * perturbation and calibration.
 */
public final class EvidenceCollector {

    /** Reliability diagram bins. */
    static final int CALIBRATION_BINS = 10;

    private EvidenceCollector() {
    }

    /**
     * @param examples the golden set (or the test split without one) first, then the recent set's other examples
     * @param champion null without a champion
     * @param seed     of the bootstrap and the perturbations: the same candidate is judged the same way again
     */
    public static Evidence collect(TestExamples examples, String testSet, JudgedModel candidate,
            JudgedModel champion, EvaluationSpec spec, long seed) {
        PromotionGate.Figure figure = examples.tagging()
                ? PromotionGate.Figure.ENTITY_F1
                : PromotionGate.Figure.MACRO_F1;
        int[] golden = examples.golden();
        long start = System.nanoTime();
        Predictions ours = candidate.predict(examples.all());
        long candidateNanos = System.nanoTime() - start;
        start = System.nanoTime();
        Predictions theirs = champion == null ? null : champion.predict(examples.all());
        long championNanos = System.nanoTime() - start;
        ServingCosts.Measured costs = ServingCosts.measure(examples.all(), candidate, candidateNanos, champion,
                championNanos);
        Metrics candidateMetrics = examples.metrics(ours, golden);
        if (golden.length == 0) {
            return new Evidence(figure, testSet, candidateMetrics, null, null, List.of(), List.of(), null, null, costs
                    .candidate(), costs.champion());
        }
        Metrics championMetrics = theirs == null ? null : examples.metrics(theirs, golden);
        Significance significance = theirs == null
                ? null
                : significance(examples, ours, theirs, golden, spec, seed);
        List<SliceMetrics> slices = theirs == null ? List.of() : slices(examples, ours, theirs, spec);
        List<JudgedExample> perturbed = Arrays.stream(golden).limit(spec.getRobustnessExamples()).mapToObj(
                i -> examples.all().get(i)).toList();
        List<FlipRates.Result> robustness = FlipRates.measure(perturbed, examples.tagging(), new FlipRates.Subject(
                candidate, ours), champion == null ? null : new FlipRates.Subject(champion, theirs), seed);
        CalibrationReport candidateCalibration = examples.tagging()
                ? null
                : calibration(examples, ours, golden, candidate.bundle().temperature());
        CalibrationReport championCalibration = examples.tagging() || theirs == null
                ? null
                : calibration(examples, theirs, golden, champion.bundle().temperature());
        return new Evidence(figure, testSet, candidateMetrics, championMetrics, significance, slices, robustness,
                candidateCalibration, championCalibration, costs.candidate(), costs.champion());
    }

    static Significance significance(TestExamples examples, Predictions ours, Predictions theirs, int[] golden,
            EvaluationSpec spec, long seed) {
        McNemar mcnemar = McNemar.of(examples.correct(ours, golden), examples.correct(theirs, golden));
        PairedBootstrap interval = PairedBootstrap.difference(golden.length, sample -> examples.figure(ours, map(
                sample, golden)), sample -> examples.figure(theirs, map(sample, golden)), spec
                        .getBootstrapResamples(),
                spec.getConfidence(), seed);
        return Significance.newBuilder().setCandidateOnlyCorrect(mcnemar.candidateOnly()).setChampionOnlyCorrect(
                mcnemar.championOnly()).setMcnemarPValue(mcnemar.pValue()).setDifference(interval.estimate())
                .setLower(interval.lower()).setUpper(interval.upper()).setConfidence(interval.confidence())
                .setResamples(interval.resamples()).setSeed(seed).build();
    }

    private static int[] map(int[] sample, int[] positions) {
        int[] out = new int[sample.length];
        for (int k = 0; k < sample.length; k++) {
            out[k] = positions[sample[k]];
        }
        return out;
    }

    /** Each value of each slice key over golden and recent examples together, then the recent set on its own. */
    static List<SliceMetrics> slices(TestExamples examples, Predictions ours, Predictions theirs,
            EvaluationSpec spec) {
        List<SliceMetrics> out = new ArrayList<>();
        for (String key : spec.getSliceKeysList()) {
            for (Map.Entry<String, int[]> s : examples.slices(key).entrySet()) {
                out.add(slice(examples, ours, theirs, key, s.getKey(), s.getValue(), spec));
            }
        }
        int[] recent = examples.recent();
        if (recent.length > 0) {
            out.add(slice(examples, ours, theirs, Evidence.SUBSET, "recent", recent, spec));
        }
        return out;
    }

    private static SliceMetrics slice(TestExamples examples, Predictions ours, Predictions theirs, String key,
            String value, int[] positions, EvaluationSpec spec) {
        return SliceMetrics.newBuilder().setKey(key).setValue(value).setExamples(positions.length).setCandidate(
                examples.figure(ours, positions)).setChampion(examples.figure(theirs, positions)).setGated(
                        positions.length >= spec.getSliceMinExamples())
                .build();
    }

    static CalibrationReport calibration(TestExamples examples, Predictions p, int[] golden, double temperature) {
        int[] truth = new int[golden.length];
        double[][] calibrated = new double[golden.length][];
        double[][] raw = new double[golden.length][];
        for (int k = 0; k < golden.length; k++) {
            truth[k] = examples.expected()[golden[k]];
            calibrated[k] = doubles(p.probabilities()[golden[k]]);
            raw[k] = doubles(p.uncalibrated()[golden[k]]);
        }
        Calibration after = Calibration.of(calibrated, truth, CALIBRATION_BINS);
        Calibration before = Calibration.of(raw, truth, CALIBRATION_BINS);
        CalibrationReport.Builder b = CalibrationReport.newBuilder().setTemperature(temperature).setEce(after.ece())
                .setBrier(after.brier()).setLogLoss(after.logLoss()).setEceUncalibrated(before.ece())
                .setBrierUncalibrated(before.brier()).setLogLossUncalibrated(before.logLoss());
        for (Calibration.Bin bin : after.reliability()) {
            b.addBinConfidence(bin.count() == 0 ? 0 : bin.confidence()).addBinAccuracy(bin.count() == 0
                    ? 0
                    : bin.accuracy()).addBinCount(bin.count());
        }
        return b.build();
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
