package io.finetide.deployment.cards;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.finetide.deployment.store.ModelRecord;
import io.finetide.platform.privacy.PiiType;
import io.finetide.proto.v1.ClassMetrics;
import io.finetide.proto.v1.GateReport;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.PrivacySpec;
import io.finetide.proto.v1.PrivacySpend;
import io.finetide.proto.v1.SequenceLength;
import io.finetide.proto.v1.ServingCost;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;

/** Builds a model's card from its registry record and the verdict on it (which carries the trained event). */
public final class ModelCards {

    /** A class, slice or perturbation this far below the average is named a limitation. */
    static final double WEAK_GAP = 0.10;
    /** A perturbation flipping at least this share of answers is named a limitation. */
    static final double FLIP_LIMIT = 0.05;
    /** An expected calibration error above this is named a limitation. */
    static final double ECE_LIMIT = 0.05;

    private ModelCards() {
    }

    public static ModelCard of(ModelRecord model, ModelEvaluatedEvent verdict) {
        ModelTrainedEvent trained = verdict.getTrained();
        TaskDefinitionEvent task = trained.getTask();
        GateReport report = verdict.getReport();
        ModelCard.Evaluation evaluation = evaluation(verdict);
        return new ModelCard(model.modelId(), model.task(), model.version(), model.stage(), model.createdAtMs(),
                intendedUse(task, trained), training(trained), evaluation, limitations(task, evaluation, report),
                privacy(task.getPrivacy(), trained.hasPrivacySpend() ? trained.getPrivacySpend() : null), cost(
                        verdict));
    }

    static ModelCard.Cost cost(ModelEvaluatedEvent verdict) {
        GateReport r = verdict.getReport();
        if (!r.hasCandidateCost()) {
            return null;
        }
        return new ModelCard.Cost(size(r.getCandidateCost()), r.hasChampionCost() ? size(r.getChampionCost()) : null,
                r.hasChampionCost() ? verdict.getChampionModelId() : "");
    }

    private static ModelCard.Size size(ServingCost c) {
        return new ModelCard.Size(c.getParameters(), c.getBundleBytes(), c.getLatencyMsP50(), c.getLatencyMsP95(), c
                .getBatchMsPerExample());
    }

    /** Where the length came from, and how much of the training snapshot it cut. */
    static String lengthNote(ModelTrainedEvent trained) {
        if (!trained.hasSequenceLength() || trained.getSequenceLength().getMaxSeqLen() == 0) {
            return "";
        }
        SequenceLength l = trained.getSequenceLength();
        String share = String.format(java.util.Locale.ROOT, "%.1f%%", 100 * l.getTruncatedShare());
        return l.getFromData()
                ? " (the length was chosen from the training snapshot, within a cap of " + l.getCap() + "; " + share
                        + " of its examples are longer)"
                : " (" + share + " of the training snapshot's examples are longer)";
    }

    static ModelCard.IntendedUse intendedUse(TaskDefinitionEvent task, ModelTrainedEvent trained) {
        boolean tagging = task.getType() == TaskType.TOKEN_CLASSIFICATION;
        List<String> labels = trained.getLabelsList().isEmpty() ? task.getLabelsList() : trained.getLabelsList();
        String description = tagging
                ? "Tags the words of a text with the entity types " + String.join(", ", task.getLabelsList())
                        + " (BIO tags) for task '" + task.getName() + "'."
                : task.getType() == TaskType.TEXT_GENERATION
                        ? "Writes a completion of a prompt for task '" + task.getName() + "', as the task's examples "
                                + "complete theirs (a decoder fine-tuned on prompt and completion pairs)."
                        : task.getType() == TaskType.SEQ2SEQ
                                ? "Writes a target for an input for task '" + task.getName() + "', as the task's "
                                        + "examples pair theirs (an encoder-decoder fine-tuned on input and target "
                                        + "pairs)."
                                : task.getType() == TaskType.TEXT_PAIR_CLASSIFICATION
                                        ? "Classifies a pair of texts (a text and its textPair, read together) as one of "
                                                + String
                                                        .join(", ", labels)
                                                + " for task '" + task.getName()
                                                + "', with calibrated probabilities."
                                        : "Classifies a text as one of " + String.join(", ", labels) + " for task '"
                                                + task
                                                        .getName()
                                                + "', with calibrated probabilities.";
        int maxTokens = task.getModel().getMaxSeqLen();
        return new ModelCard.IntendedUse(task.getType().name(), labels, description, maxTokens, task
                .getPreprocessing().getTruncation().name(),
                List.of(
                        "Texts unlike the task's training data (other domains, languages or registers): it was "
                                + "trained and judged on the task's stream only.",
                        "Texts longer than " + maxTokens + " tokens: only the " + (task.getPreprocessing()
                                .getTruncation().name().equals("TAIL") ? "last" : "first") + " " + maxTokens
                                + " are read" + lengthNote(trained) + ".",
                        "Decisions about people without human review: its errors are measured on a test set, "
                                + "not excluded."));
    }

    static ModelCard.Training training(ModelTrainedEvent t) {
        return new ModelCard.Training(t.getModel().getBaseModel(), t.getParentModelId(), t.getSnapshotId(), t
                .getTrainExamples(),
                t.getSnapshotSourcesList().stream().map(s -> new ModelCard.Source(s.getTopic(),
                        s.getPartition(), s.getFirstOffset(), s.getLastOffset(), s.getExamples())).toList(),
                t.getSnapshotTriggerReasonsList(), t.getHyperParameters().toString().strip().replace('\n', ' '), t
                        .getBestEpoch(),
                t.getHistoryList().stream().map(e -> new ModelCard.Epoch(e.getEpoch(), e.getTrainLoss(), e
                        .getValidationLoss(), e.getValidationScore())).toList(),
                t.getTrainingMillis());
    }

    static ModelCard.Evaluation evaluation(ModelEvaluatedEvent v) {
        GateReport r = v.getReport();
        Metrics m = v.getCandidate();
        List<ModelCard.ClassFigures> perClass = m.getPerClassList().stream().map(ModelCards::figures).toList();
        List<List<Long>> confusion = new ArrayList<>();
        int n = m.getPerClassCount();
        for (int i = 0; n > 0 && (i + 1) * n <= m.getConfusionMatrixCount(); i++) {
            confusion.add(List.copyOf(m.getConfusionMatrixList().subList(i * n, (i + 1) * n)));
        }
        ModelCard.Comparison comparison = !v.hasChampion()
                ? null
                : new ModelCard.Comparison(v.getChampionModelId(), figureValue(v.getChampion(), r.getFigure()), r
                        .getSignificance().getDifference(),
                        r.getSignificance()
                                .getLower(),
                        r.getSignificance().getUpper(), r.getSignificance().getConfidence(), r.getSignificance()
                                .getMcnemarPValue());
        ModelCard.Calibration calibration = r.hasCandidateCalibration()
                ? new ModelCard.Calibration(r.getCandidateCalibration().getTemperature(), r.getCandidateCalibration()
                        .getEce(), r.getCandidateCalibration().getEceUncalibrated(),
                        r.getCandidateCalibration()
                                .getBrier(),
                        r.getCandidateCalibration().getLogLoss())
                : null;
        return new ModelCard.Evaluation(r.getTestSet(), r.getFigure(), figureValue(m, r.getFigure()), m
                .getAccuracy(), perClass, confusion,
                r.getSlicesList().stream().map(s -> new ModelCard.SliceFigures(s
                        .getKey(), s.getValue(), s.getExamples(), s.getCandidate(), s.getChampion(), s.getGated()))
                        .toList(),
                comparison, r.getRobustnessList().stream().map(p -> new ModelCard.Robustness(p.getPerturbation(), p
                        .getExamples(), p.getCandidateFlipRate(), p.getChampionFlipRate())).toList(),
                calibration, r
                        .getPolicy().name(),
                v.getBlessed(), r.getDecidingRule().name(), v.getDecisionReason(), r.getRulesList().stream().map(
                        o -> new ModelCard.Rule(o.getRule().name(), o.getPassed(), o.getGating(), o.getDetail()))
                        .toList(),
                r.getTriggeredBy());
    }

    /** The verdict's figure (its report's tag) in {@code m}. */
    static double figureValue(Metrics m, String figure) {
        return switch (figure) {
            case "entity_f1" -> m.getMicroF1();
            case "rouge_l" -> m.getGeneration().getRougeL();
            case "chrf" -> m.getGeneration().getChrf();
            case "exact_match" -> m.getGeneration().getExactMatch();
            case "token_f1" -> m.getGeneration().getTokenF1();
            default -> m.getMacroF1();
        };
    }

    private static ModelCard.ClassFigures figures(ClassMetrics c) {
        return new ModelCard.ClassFigures(c.getLabel(), c.getPrecision(), c.getRecall(), c.getF1(), c.getSupport());
    }

    /** What the figures say the model does badly, then what no figure here can vouch for. */
    static List<String> limitations(TaskDefinitionEvent task, ModelCard.Evaluation e, GateReport r) {
        List<String> out = new ArrayList<>();
        String figure = e.figure().equals("entity_f1")
                ? "entity F1"
                : e.figure().equals("macro_f1")
                        ? "macro-F1"
                        : e.figure();
        for (ModelCard.ClassFigures c : e.perClass()) {
            if (c.support() > 0 && c.f1() < e.figureValue() - WEAK_GAP) {
                out.add(String.format("'%s' is recognised less well than the rest: F1 %.3f against %s %.3f.", c
                        .label(), c.f1(), figure, e.figureValue()));
            }
        }
        for (ModelCard.SliceFigures s : e.slices()) {
            if (s.candidate() < e.figureValue() - WEAK_GAP) {
                out.add(String.format("On %s=%s (%d test examples) its %s is %.3f, against %.3f overall.", s.key(), s
                        .value(), s.examples(), figure, s.candidate(), e.figureValue()));
            }
        }
        for (ModelCard.Robustness p : e.robustness()) {
            if (p.examples() > 0 && p.flipRate() >= FLIP_LIMIT) {
                out.add(String.format("A %s change flips %.1f%% of its answers (%d perturbed test examples).", p
                        .perturbation(), 100 * p.flipRate(), p.examples()));
            }
        }
        if (e.calibration() != null && e.calibration().ece() > ECE_LIMIT) {
            out.add(String.format("Its probabilities are off by %.1f points on average (expected calibration error), "
                    + "after calibration.", 100 * e.calibration().ece()));
        }
        if (r.hasSignificance()) {
            out.add(String.format("Judged on the %s: differences to another model within about %.3f %s cannot be "
                    + "told apart at %.0f%% confidence.", e.testSet(),
                    (r.getSignificance().getUpper() - r
                            .getSignificance().getLower()) / 2,
                    figure, 100 * r.getSignificance().getConfidence()));
        }
        if (task.getEvaluation().getSliceKeysCount() == 0) {
            out.add("No slices were checked: the task names no metadata keys, so groups of users or sources may fare "
                    + "worse than the average shows.");
        }
        return out;
    }

    /** @param spend what a private run spent (null for a model trained without differential privacy) */
    static ModelCard.Privacy privacy(PrivacySpec p, PrivacySpend spend) {
        ModelCard.DifferentialPrivacy dp = spend == null
                ? null
                : new ModelCard.DifferentialPrivacy(spend.getEpsilon(), spend.getDelta(), spend.getTaskEpsilon(), spend
                        .getEpsilonBudget(), spend.getNoiseMultiplier(), spend.getSamplingRate(), spend.getSteps(),
                        spend.getClipNorm());
        String dpStatement = dp == null
                ? " It was trained without differential privacy: nothing bounds what it may reveal of a single "
                        + "training example."
                : String.format(java.util.Locale.ROOT,
                        " It was trained with differential privacy (DP-SGD: each example's gradient clipped to %.3g, "
                                + "noise multiplier %.3g, %d updates at sampling rate %.3g): its training run is "
                                + "(ε = %.3g, δ = %.1e)-differentially private with respect to any one training "
                                + "example, and all of the task's runs so far together spend ε = %.3g of a budget "
                                + "of %.3g. The validation split, which picked the epoch and fitted the "
                                + "temperature, is not covered.",
                        dp.clipNorm(), dp.noiseMultiplier(), dp.steps(), dp.samplingRate(), dp.epsilon(), dp.delta(),
                        dp.taskEpsilon(), dp.epsilonBudget());
        if (!p.getRedactPii()) {
            return new ModelCard.Privacy(false, List.of(), dp, "The task does not redact personal data: the model "
                    + "learnt from the texts as their producers sent them." + dpStatement);
        }
        List<String> types = p.getPiiTypesCount() == 0
                ? Arrays.stream(PiiType.values()).map(Enum::name).toList()
                : p.getPiiTypesList().stream().map(t -> PiiType.parse(t).name()).toList();
        return new ModelCard.Privacy(true, types, dp, "Personal data of the types " + String.join(", ", types)
                + " was replaced by typed placeholders at ingestion, before anything was stored: the model never saw "
                + "those values." + dpStatement);
    }
}
