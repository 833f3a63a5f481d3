package io.finetide.evaluation.gate;

import io.finetide.evaluation.robustness.FlipRates;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.GateReport;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.PerturbationResult;

/** The event form of a verdict's evidence and every rule's outcome. */
final class GateReports {

    private GateReports() {
    }

    static GateReport of(Evidence e, PromotionGate.Decision d, EvaluationSpec spec, ModelTrainedEvent trained) {
        GateReport.Builder b = GateReport.newBuilder().setPolicy(spec.getPolicy()).setFigure(e.figure().tag())
                .setTestSet(e.testSet()).addAllRules(d.rules()).addAllSlices(e.slices()).setDecidingRule(d.rule())
                .setDecidedAtMs(System.currentTimeMillis()).setTriggeredBy(triggeredBy(trained));
        if (e.significance() != null) {
            b.setSignificance(e.significance());
        }
        for (FlipRates.Result r : e.robustness()) {
            b.addRobustness(PerturbationResult.newBuilder().setPerturbation(r.perturbation().tag()).setExamples(r
                    .examples()).setCandidateFlipRate(r.candidateFlips()).setChampionFlipRate(Double.isNaN(
                            r
                                    .championFlips()) ? 0 : r.championFlips())
                    .setExample(r.example()));
        }
        if (e.candidateCalibration() != null) {
            b.setCandidateCalibration(e.candidateCalibration());
        }
        if (e.championCalibration() != null) {
            b.setChampionCalibration(e.championCalibration());
        }
        if (e.candidateCost() != null) {
            b.setCandidateCost(e.candidateCost());
        }
        if (e.championCost() != null) {
            b.setChampionCost(e.championCost());
        }
        return b.build();
    }

    /** The trained event, and what made its snapshot: a manual request names who asked. */
    static String triggeredBy(ModelTrainedEvent trained) {
        return String.format("model-trained event of %s (snapshot %s%s, %s)", trained.getModelId(), trained
                .getSnapshotId(),
                trained.getSnapshotTriggerReasonsList().isEmpty()
                        ? ""
                        : " made because " + String.join("; ", trained.getSnapshotTriggerReasonsList()),
                trained
                        .getParentModelId().isEmpty()
                                ? "trained from the base"
                                : "continued from " + trained
                                        .getParentModelId());
    }
}
