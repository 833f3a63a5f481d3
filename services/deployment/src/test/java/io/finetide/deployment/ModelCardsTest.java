package io.finetide.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.finetide.deployment.cards.ModelCard;
import io.finetide.deployment.cards.ModelCardMarkdown;
import io.finetide.deployment.cards.ModelCards;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.platform.datasets.SequenceLengths;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.CalibrationReport;
import io.finetide.proto.v1.ClassMetrics;
import io.finetide.proto.v1.EpochSummary;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.GateReport;
import io.finetide.proto.v1.GateRule;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.PerturbationResult;
import io.finetide.proto.v1.PrivacySpec;
import io.finetide.proto.v1.PrivacySpend;
import io.finetide.proto.v1.PromotionPolicy;
import io.finetide.proto.v1.RuleOutcome;
import io.finetide.proto.v1.SequenceLength;
import io.finetide.proto.v1.ServingCost;
import io.finetide.proto.v1.Significance;
import io.finetide.proto.v1.SliceMetrics;
import io.finetide.proto.v1.SourceRange;
import io.finetide.proto.v1.TaskDefinitionEvent;

class ModelCardsTest {

    static ModelEvaluatedEvent verdict() {
        // Left out of the task, the length was chosen from the snapshot; training reads the task at it.
        SequenceLength length = SequenceLength.newBuilder().setMaxSeqLen(64).setFromData(true).setTruncatedShare(
                0.031).setCap(256).build();
        TaskDefinitionEvent task = SequenceLengths.readAt(TaskDefinitions.withDefaults(TaskDefinitionEvent
                .newBuilder().setName("complaints").addLabels("fees").addLabels("fraud").setPrivacy(PrivacySpec
                        .newBuilder().setRedactPii(true).addPiiTypes("email").addPiiTypes("IBAN"))
                .setEvaluation(EvaluationSpec.newBuilder().addSliceKeys("branch")).build()), length);
        ModelTrainedEvent trained = ModelTrainedEvent.newBuilder().setModelId("c-m2").setSnapshotId("c-v2")
                .setParentModelId("c-m1").setTrainExamples(4000).setTask(task).setModel(task.getModel()).addLabels(
                        "fees")
                .addLabels("fraud").addSnapshotSources(SourceRange.newBuilder().setTopic(
                        "finetide.labelled").setPartition(0).setFirstOffset(10).setLastOffset(4409)
                        .setExamples(4400))
                .addSnapshotTriggerReasons("new-examples: 2400 >= 2400").addHistory(EpochSummary.newBuilder()
                        .setEpoch(1).setTrainLoss(0.5).setValidationLoss(0.4).setValidationScore(0.81))
                .setBestEpoch(1).setSequenceLength(length)
                .build();
        Metrics candidate = Metrics.newBuilder().setExamples(500).setAccuracy(0.86).setMacroF1(0.85).addPerClass(
                ClassMetrics.newBuilder().setLabel("fees").setPrecision(0.9).setRecall(0.98).setF1(0.94).setSupport(
                        400))
                .addPerClass(ClassMetrics.newBuilder().setLabel("fraud").setPrecision(0.8).setRecall(0.6).setF1(0.69)
                        .setSupport(100))
                .addAllConfusionMatrix(List.of(392L, 8L, 40L, 60L)).build();
        GateReport report = GateReport.newBuilder().setPolicy(PromotionPolicy.NON_INFERIORITY).setFigure("macro_f1")
                .setTestSet("golden test set, 500 examples").setSignificance(Significance.newBuilder().setDifference(
                        0.01).setLower(-0.01).setUpper(0.03).setConfidence(0.95).setMcnemarPValue(0.4))
                .addRules(RuleOutcome.newBuilder().setRule(GateRule.POLICY).setPassed(true).setGating(true).setDetail(
                        "non-inferior"))
                .addSlices(SliceMetrics.newBuilder().setKey("branch").setValue("north").setExamples(80).setCandidate(
                        0.7).setChampion(0.72).setGated(true))
                .addRobustness(PerturbationResult.newBuilder().setPerturbation("typo").setExamples(200)
                        .setCandidateFlipRate(0.08).setChampionFlipRate(0.07))
                .setCandidateCalibration(CalibrationReport.newBuilder().setTemperature(1.7).setEce(0.03)
                        .setEceUncalibrated(0.09))
                .setDecidingRule(GateRule.POLICY).setTriggeredBy("model-trained event of c-m2")
                .setCandidateCost(ServingCost.newBuilder().setParameters(31_000).setBundleBytes(128_000)
                        .setLatencyMsP50(1.5).setLatencyMsP95(2.25).setProbes(21).setBatchMsPerExample(0.25))
                .setChampionCost(ServingCost.newBuilder().setParameters(22_700_000).setBundleBytes(91_000_000)
                        .setLatencyMsP50(12).setLatencyMsP95(15).setProbes(21).setBatchMsPerExample(2))
                .build();
        return ModelEvaluatedEvent.newBuilder().setModelId("c-m2").setTrained(trained).setCandidate(candidate)
                .setChampionModelId("c-m1").setChampion(Metrics.newBuilder().setMacroF1(0.84)).setBlessed(true)
                .setDecisionReason("promote: non-inferior").setReport(report).build();
    }

    static ModelRecord record() {
        return new ModelRecord("c-m2", "complaints", 2, "c-v2", "c-m1", "models/c/c-m2.zip", "", 0.81, 4000, 1000,
                ModelRecord.CHAMPION, 0.86, 0.85, "promote", 0L, 1L, null, 31_000L, 128_000L, 1.5);
    }

    @Test
    void theCardStatesUseLineageFiguresLimitationsAndThePrivacyPolicy() {
        ModelCard card = ModelCards.of(record(), verdict());
        assertThat(card.intendedUse().labels()).containsExactly("fees", "fraud");
        assertThat(card.intendedUse().maxTokens()).isEqualTo(64);
        assertThat(card.intendedUse().outOfScope()).contains("Texts longer than 64 tokens: only the first 64 are read "
                + "(the length was chosen from the training snapshot, within a cap of 256; 3.1% of its examples are "
                + "longer).");
        assertThat(card.training().sources()).containsExactly(new ModelCard.Source("finetide.labelled", 0, 10, 4409,
                4400));
        assertThat(card.evaluation().confusion()).containsExactly(List.of(392L, 8L), List.of(40L, 60L));
        assertThat(card.evaluation().comparison().championFigure()).isEqualTo(0.84);
        // Each limitation comes from a figure: fraud's F1 (0.69 < 0.85 - 0.10), the north branch (0.70 < 0.75), the
        // typo flip rate (8% >= 5%), then the interval's half-width; the calibrated ECE (0.03) is not one.
        assertThat(card.limitations()).containsExactly(
                "'fraud' is recognised less well than the rest: F1 0.690 against macro-F1 0.850.",
                "On branch=north (80 test examples) its macro-F1 is 0.700, against 0.850 overall.",
                "A typo change flips 8.0% of its answers (200 perturbed test examples).",
                "Judged on the golden test set, 500 examples: differences to another model within about 0.020 "
                        + "macro-F1 cannot be told apart at 95% confidence.");
        assertThat(card.privacy().piiTypes()).containsExactly("EMAIL", "IBAN");
        assertThat(card.privacy().statement()).startsWith("Personal data of the types EMAIL, IBAN was replaced")
                .endsWith("nothing bounds what it may reveal of a single training example.");
        assertThat(card.privacy().differentialPrivacy()).isNull();
        assertThat(card.cost()).isEqualTo(new ModelCard.Cost(new ModelCard.Size(31_000, 128_000, 1.5, 2.25, 0.25),
                new ModelCard.Size(22_700_000, 91_000_000, 12, 15, 2), "c-m1"));
    }

    @Test
    void aPrivateModelsCardStatesItsGuaranteeAndItsTasksSpend() {
        ModelEvaluatedEvent verdict = verdict();
        ModelEvaluatedEvent privately = verdict.toBuilder().setTrained(verdict.getTrained().toBuilder()
                .setPrivacySpend(PrivacySpend.newBuilder().setEpsilon(2.5).setTaskEpsilon(3.25).setEpsilonBudget(8)
                        .setDelta(1e-5).setNoiseMultiplier(1.1).setSamplingRate(0.01).setSteps(3000).setClipNorm(1)))
                .build();
        ModelCard card = ModelCards.of(record(), privately);
        assertThat(card.privacy().differentialPrivacy()).isEqualTo(new ModelCard.DifferentialPrivacy(2.5, 1e-5, 3.25,
                8, 1.1, 0.01, 3000, 1));
        assertThat(card.privacy().statement()).contains("is (ε = 2.50, δ = 1.0e-05)-differentially private",
                "together spend ε = 3.25 of a budget of 8.00", "3000 updates at sampling rate 0.0100",
                "The validation split, which picked the epoch and fitted the temperature, is not covered.");
        assertThat(ModelCardMarkdown.render(card)).contains("(ε = 2.50, δ = 1.0e-05)");
    }

    @Test
    void theMarkdownHasEverySection() {
        String md = ModelCardMarkdown.render(ModelCards.of(record(), verdict()));
        assertThat(md).startsWith("# Model card: c-m2\n").contains("## Intended use", "## Training data and lineage",
                "## Evaluation", "## The gate's decision", "## Limitations", "## Size and speed", "## Privacy")
                .contains("| c-m2 | 31,000 | 0.1 MB | 1.50 ms, 2.25 ms | 0.250 ms per example |",
                        "| c-m1 (champion) | 22,700,000 | 91.0 MB | 12.00 ms, 15.00 ms | 2.000 ms per example |")
                .contains(
                        "- From `finetide.labelled` partition 0, offsets 10 to 4409 (4,400 examples).")
                .contains(
                        "| fraud | 0.8000 | 0.6000 | 0.6900 | 100 |")
                .contains("| fraud | 40 | 60 |").contains("| branch=north | 80 | 0.7000 | 0.7200 | yes |").contains(
                        "Calibration: temperature 1.700; expected calibration error 0.0300 (0.0900 before the "
                                + "temperature)")
                .contains("- passed **POLICY**: non-inferior");
    }
}
