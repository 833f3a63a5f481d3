package io.finetide.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.finetide.proto.v1.CalibrationReport;
import io.finetide.proto.v1.GateReport;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.PerturbationResult;
import io.finetide.proto.v1.RuleOutcome;

/** A verdict's full reasoning as the demo prints it: every rule, then robustness and calibration. */
final class GateReasoning {

    private GateReasoning() {
    }

    static List<String> lines(ModelEvaluatedEvent e) {
        GateReport r = e.getReport();
        List<String> out = new ArrayList<>();
        out.add(String.format("the gate on %s (%s, policy %s, triggered by the %s): %s", e.getModelId(), r
                .getTestSet(), r.getPolicy(), r.getTriggeredBy(), e.getBlessed() ? "BLESSED" : "REJECTED"));
        for (RuleOutcome rule : r.getRulesList()) {
            out.add(String.format("  %s %-17s %s", !rule.getGating() ? "-" : rule.getPassed() ? "+" : "x", rule
                    .getRule().name().toLowerCase(Locale.ROOT).replace('_', '-'), rule.getDetail()));
        }
        if (r.getRobustnessCount() > 0) {
            out.add("  robustness (share of perturbed golden examples whose answer flips, candidate / champion):");
            for (PerturbationResult p : r.getRobustnessList()) {
                out.add(p.getExamples() == 0
                        ? String.format("    %-12s applies to none of them", p.getPerturbation())
                        : String.format("    %-12s %5.1f%% / %5.1f%% of %d, e.g. \"%s\"", p.getPerturbation(), 100 * p
                                .getCandidateFlipRate(), 100 * p.getChampionFlipRate(), p.getExamples(), shorten(
                                        p
                                                .getExample())));
            }
        }
        if (r.hasCandidateCalibration()) {
            CalibrationReport c = r.getCandidateCalibration();
            out.add(String.format("  calibration: temperature %.3f; ECE %.4f -> %.4f, Brier %.4f -> %.4f, log-loss "
                    + "%.4f -> %.4f (before -> after the temperature)", c.getTemperature(), c.getEceUncalibrated(),
                    c
                            .getEce(),
                    c.getBrierUncalibrated(), c.getBrier(), c.getLogLossUncalibrated(), c.getLogLoss()));
        }
        return out;
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
