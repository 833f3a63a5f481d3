package io.finetide.platform.tasks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.finetide.platform.privacy.PiiType;
import io.finetide.platform.search.StudySpecs;
import io.finetide.platform.text.CleaningPipeline;
import io.finetide.proto.v1.ClassWeighting;
import io.finetide.proto.v1.DifferentialPrivacy;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.FineTuning;
import io.finetide.proto.v1.FineTuningStrategy;
import io.finetide.proto.v1.GenerationMetric;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.LoraTarget;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.PreprocessingSpec;
import io.finetide.proto.v1.PromotionPolicy;
import io.finetide.proto.v1.RetentionSpec;
import io.finetide.proto.v1.SplitRatios;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;
import io.finetide.proto.v1.TriggerSpec;

/** Validation of a defaulted task that names every problem at once, each with the field and the rule it breaks. */
public final class TaskValidation {

    /** Every problem of a (defaulted) task, knowing the bases {@code bases} resolves. */
    public static List<String> problems(TaskDefinitionEvent t, BaseCatalogue.BaseResolver bases) {
        List<String> p = new ArrayList<>();
        if (!TaskDefinitions.NAME.matcher(t.getName()).matches()) {
            p.add("name must match " + TaskDefinitions.NAME.pattern());
        }
        if (t.getType() == TaskType.TASK_TYPE_UNSPECIFIED || t.getType() == TaskType.UNRECOGNIZED) {
            p.add("type must be TEXT_CLASSIFICATION, TEXT_PAIR_CLASSIFICATION, TOKEN_CLASSIFICATION, "
                    + "TEXT_GENERATION or SEQ2SEQ");
        }
        boolean tokens = t.getType() == TaskType.TOKEN_CLASSIFICATION;
        boolean generation = TaskDefinitions.writesText(t);
        if (generation) {
            generation(p, t);
        } else if (t.getLabelsCount() < (tokens ? 1 : 2)) {
            // An entity type and "O" make two tags already.
            p.add(tokens ? "labels: at least 1 entity type is needed" : "labels: at least 2 are needed");
        }
        if (tokens) {
            t.getLabelsList().stream().map(io.finetide.platform.tagging.Bio::typeProblem).filter(
                    java.util.Objects::nonNull).forEach(x -> p.add("labels: " + x));
        }
        Set<String> seen = new HashSet<>();
        for (String l : t.getLabelsList()) {
            if (l.isBlank()) {
                p.add("labels: a label is blank");
            } else if (!seen.add(l)) {
                p.add("labels: '" + l + "' appears twice");
            }
        }
        ModelSpec m = t.getModel();
        boolean uploadedBase = m.getBaseModel().startsWith(BaseCatalogue.USER_BASE_PREFIX);
        if (t.getType() == TaskType.TEXT_GENERATION) {
            if (!m.getArchitecture().equals(BaseCatalogue.ARCHITECTURE_DECODER) || !uploadedBase) {
                p.add("a TEXT_GENERATION task is written by an uploaded GPT-2 base (model.baseModel 'user/<name>' of "
                        + "a GPT-2 folder)");
            }
        } else if (t.getType() == TaskType.SEQ2SEQ) {
            if (!m.getArchitecture().equals(BaseCatalogue.ARCHITECTURE_ENCODER_DECODER) || !uploadedBase) {
                p.add("a SEQ2SEQ task is written by an uploaded T5 base (model.baseModel 'user/<name>' of a T5 "
                        + "folder)");
            } else {
                t5Strategy(p, t);
            }
        } else if (m.getArchitecture().equals(BaseCatalogue.ARCHITECTURE_DECODER)) {
            // A decoder reads a text left to right and is classified at its last token: no second segment, and no
            // token after a word to tag it by.
            if (!m.getBaseModel().startsWith(BaseCatalogue.USER_BASE_PREFIX)) {
                p.add("model.architecture '" + BaseCatalogue.ARCHITECTURE_DECODER + "' comes with an uploaded GPT-2 "
                        + "base (model.baseModel 'user/<name>')");
            } else if (t.getType() != TaskType.TEXT_CLASSIFICATION) {
                p.add("model.baseModel '" + m.getBaseModel() + "' is a GPT-2 decoder: it trains TEXT_CLASSIFICATION "
                        + "and TEXT_GENERATION tasks only");
            }
        } else if (m.getArchitecture().equals(BaseCatalogue.ARCHITECTURE_ENCODER_DECODER)) {
            textToText(p, t);
        } else if (!m.getArchitecture().equals(BaseCatalogue.ARCHITECTURE_ENCODER)) {
            p.add("model.architecture must be '" + BaseCatalogue.ARCHITECTURE_ENCODER + "' (or an uploaded GPT-2's '"
                    + BaseCatalogue.ARCHITECTURE_DECODER + "', an uploaded T5's '"
                    + BaseCatalogue.ARCHITECTURE_ENCODER_DECODER + "')");
        }
        if (uploadedBase) {
            if (bases.resolve(m.getBaseModel()) == null) {
                p.add("model.baseModel '" + m.getBaseModel() + "' has not been uploaded (PUT /api/v1/base-models/"
                        + m.getBaseModel().substring(BaseCatalogue.USER_BASE_PREFIX.length())
                        + " on the training service)");
            } else if (!m.getTokenizer().equals(m.getBaseModel())) {
                p.add("model.tokenizer of an uploaded base is its own ('" + m.getBaseModel() + "')");
            }
        } else if (!BaseCatalogue.TOKENIZERS.contains(m.getTokenizer())) {
            p.add("model.tokenizer must be one of " + BaseCatalogue.TOKENIZERS);
        }
        if (!uploadedBase && !m.getBaseModel().equals(BaseCatalogue.BASE_RANDOM)
                && !BaseCatalogue.PRETRAINED.containsKey(m.getBaseModel())) {
            p.add("model.baseModel must be '" + BaseCatalogue.BASE_RANDOM + "', one of "
                    + BaseCatalogue.PRETRAINED.keySet() + " or '"
                    + BaseCatalogue.USER_BASE_PREFIX + "<name>' of an uploaded base");
        }
        range(p, "model.layers", m.getLayers(), 1, 24);
        range(p, "model.hiddenSize", m.getHiddenSize(), 8, 2048);
        range(p, "model.heads", m.getHeads(), 1, 64);
        if (m.getHeads() > 0 && m.getHiddenSize() % m.getHeads() != 0) {
            p.add("model.hiddenSize must be divisible by model.heads");
        }
        range(p, "model.ffnSize", m.getFfnSize(), 8, 8192);
        range(p, "model.maxSeqLen", m.getMaxSeqLen(), 8, 512);
        SplitRatios s = t.getSplits();
        if (s.getTrain() <= 0 || s.getValidation() <= 0 || s.getTest() <= 0) {
            p.add("splits: train, validation and test must each be > 0");
        }
        if (Math.abs(s.getTrain() + s.getValidation() + s.getTest() - 1.0) > 1e-6) {
            p.add("splits must add up to 1");
        }
        if (t.hasSearch()) {
            StudySpecs.problems(t.getSearch()).forEach(x -> p.add("search." + x));
        }
        HyperParameters h = t.getHyperParameters();
        if (h.getLearningRate() <= 0 || h.getLearningRate() > 1) {
            p.add("hyperParameters.learningRate must be in (0, 1]");
        }
        range(p, "hyperParameters.batchSize", h.getBatchSize(), 1, 4096);
        range(p, "hyperParameters.epochs", h.getEpochs(), 1, 1000);
        if (h.getWeightDecay() < 0) {
            p.add("hyperParameters.weightDecay must be >= 0");
        }
        if (h.getWarmupRatio() < 0 || h.getWarmupRatio() >= 1) {
            p.add("hyperParameters.warmupRatio must be in [0, 1)");
        }
        if (h.getMaxGradNorm() < 0) {
            p.add("hyperParameters.maxGradNorm must be >= 0");
        }
        if (h.getDropout() < 0 || h.getDropout() >= 1) {
            p.add("hyperParameters.dropout must be in [0, 1)");
        }
        if (h.getLayerLrDecay() <= 0 || h.getLayerLrDecay() > 1) {
            p.add("hyperParameters.layerLrDecay must be in (0, 1]");
        }
        if (h.getLabelSmoothing() < 0 || h.getLabelSmoothing() >= 0.5) {
            p.add("hyperParameters.labelSmoothing must be in [0, 0.5)");
        }
        if (h.getMomentum() < 0 || h.getMomentum() >= 1) {
            p.add("hyperParameters.momentum must be in [0, 1)");
        }
        range(p, "hyperParameters.gradientAccumulationSteps", h.getGradientAccumulationSteps(), 1, 1024);
        FineTuning f = h.getFineTuning();
        if (f.getStrategy() == FineTuningStrategy.TOP_LAYERS) {
            range(p, "hyperParameters.fineTuning.topLayers", f.getTopLayers(), 1, m.getLayers());
        } else if (f.getTopLayers() != 0) {
            p.add("hyperParameters.fineTuning.topLayers applies to the TOP_LAYERS strategy only");
        }
        if (f.getStrategy() == FineTuningStrategy.LORA) {
            range(p, "hyperParameters.fineTuning.loraRank", f.getLoraRank(), 1, 256);
            if (!(f.getLoraAlpha() > 0)) {
                p.add("hyperParameters.fineTuning.loraAlpha must be > 0");
            }
            if (f.getLoraTargetsList().contains(LoraTarget.LORA_TARGET_UNSPECIFIED) || f.getLoraTargetsList()
                    .contains(LoraTarget.UNRECOGNIZED)) {
                p.add("hyperParameters.fineTuning.loraTargets: each must be one of QUERY, KEY, VALUE, "
                        + "ATTENTION_OUTPUT, INTERMEDIATE, OUTPUT");
            }
        } else if (f.getLoraRank() != 0 || f.getLoraAlpha() != 0 || f.getLoraTargetsCount() != 0) {
            p.add("hyperParameters.fineTuning.lora* settings apply to the LORA strategy only");
        }
        if (f.getStrategy() == FineTuningStrategy.UNRECOGNIZED) {
            p.add("hyperParameters.fineTuning.strategy must be one of FULL, HEAD_ONLY, TOP_LAYERS, "
                    + "GRADUAL_UNFREEZING, LORA");
        }
        if (t.getTriggerMinNewExamples() < 1) {
            p.add("triggerMinNewExamples must be >= 1");
        }
        if (t.getPromotionMargin() < 0 || t.getPromotionMargin() > 1) {
            p.add("promotionMargin must be in [0, 1]");
        }
        range(p, "maxTextBytes", t.getMaxTextBytes(), 1, 1 << 20);
        evaluation(p, t.getEvaluation());
        PreprocessingSpec pp = t.getPreprocessing();
        p.addAll(CleaningPipeline.problems(pp.getCleaningList()));
        range(p, "preprocessing.goldenTestSize", pp.getGoldenTestSize(), 0, 1_000_000);
        range(p, "preprocessing.recentTestSize", pp.getRecentTestSize(), 1, 1_000_000);
        if (pp.getReplayFraction() < 0 || pp.getReplayFraction() > 1) {
            p.add("preprocessing.replayFraction must be in [0, 1]");
        }
        TriggerSpec tr = t.getTriggers();
        if (tr.getDriftPsi() < 0) {
            p.add("triggers.driftPsi must be >= 0 (0: no drift trigger)");
        }
        range(p, "triggers.driftMinExamples", tr.getDriftMinExamples(), 10, 10_000_000);
        range(p, "triggers.scheduleSeconds", tr.getScheduleSeconds(), 0, 365L * 24 * 3600);
        range(p, "triggers.debounceMillis", tr.getDebounceMillis(), 1, 3_600_000);
        range(p, "triggers.minIntervalSeconds", tr.getMinIntervalSeconds(), 1, 7L * 24 * 3600);
        for (String type : t.getPrivacy().getPiiTypesList()) {
            try {
                PiiType.parse(type);
            } catch (IllegalArgumentException e) {
                p.add("privacy.piiTypes: '" + type + "' is not one of " + java.util.Arrays.toString(PiiType
                        .values()));
            }
        }
        if (t.getPrivacy().hasDifferentialPrivacy()) {
            differentialPrivacy(p, t);
        }
        range(p, "dedup.nearDuplicateMaxDistance", t.getDedup().getNearDuplicateMaxDistance(), 0, 15);
        range(p, "labeling.quorum", t.getLabeling().getQuorum(), 1, 20);
        range(p, "labeling.batchMinDistance", t.getLabeling().getBatchMinDistance(), 1, 32);
        RetentionSpec r = t.getRetention();
        range(p, "retention.keep", r.getKeep(), 0, 100_000);
        range(p, "retention.maxAgeHours", r.getMaxAgeHours(), 0, 100L * 365 * 24);
        return p;
    }

    private static void differentialPrivacy(List<String> p, TaskDefinitionEvent t) {
        DifferentialPrivacy dp = t.getPrivacy().getDifferentialPrivacy();
        String at = "privacy.differentialPrivacy.";
        if (!(dp.getEpsilonBudget() > 0 && dp.getEpsilonBudget() <= 1000)) {
            p.add(at + "epsilonBudget must be in (0, 1000]: the task's total ε over all its runs");
        }
        if (!(dp.getDelta() >= 0 && dp.getDelta() <= 1e-2)) {
            p.add(at + "delta must be in (0, 0.01] (unset: " + TaskDefaults.DEFAULT_PRIVACY_DELTA + ")");
        }
        if (!(dp.getNoiseMultiplier() >= 0 && dp.getNoiseMultiplier() <= 100)) {
            p.add(at + "noiseMultiplier must be in (0, 100] (unset: chosen per run from epsilonPerRun)");
        }
        if (!(dp.getEpsilonPerRun() >= 0 && dp.getEpsilonPerRun() <= dp.getEpsilonBudget())) {
            p.add(at + "epsilonPerRun must be in (0, epsilonBudget]");
        }
        if (!(dp.getClipNorm() >= 0 && dp.getClipNorm() <= 1000)) {
            p.add(at + "clipNorm must be in (0, 1000] (unset: " + TaskDefaults.DEFAULT_PRIVACY_CLIP_NORM + ")");
        }
        if (t.getHyperParameters().getGradientAccumulationSteps() > 1) {
            p.add("privacy.differentialPrivacy: DP-SGD clips each example's gradient, so "
                    + "hyperParameters.gradientAccumulationSteps must be 1");
        }
        if (t.hasSearch()) {
            p.add("privacy.differentialPrivacy: every trial of a hyper-parameter study would spend the privacy "
                    + "budget, so a private task takes no search");
        }
    }

    /**
     * A T5 base classifies single texts by writing their label's words: no second text, no tags, no head of its own
     * for class weights or for the strategies that train a head and some layers under it; differential privacy and search are not built for it yet.
     */
    private static void textToText(List<String> p, TaskDefinitionEvent t) {
        String base = t.getModel().getBaseModel();
        if (!base.startsWith(BaseCatalogue.USER_BASE_PREFIX)) {
            p.add("model.architecture '" + BaseCatalogue.ARCHITECTURE_ENCODER_DECODER + "' comes with an uploaded T5 "
                    + "base (model.baseModel 'user/<name>')");
            return;
        }
        if (t.getType() != TaskType.TEXT_CLASSIFICATION) {
            p.add("model.baseModel '" + base + "' is a T5 encoder-decoder: it trains TEXT_CLASSIFICATION tasks text "
                    + "to text (the label's words are its target) and SEQ2SEQ tasks only");
        }
        if (t.getHyperParameters().getClassWeighting() == ClassWeighting.BALANCED) {
            p.add("hyperParameters.classWeighting BALANCED weighs a classifier head's classes; a T5 base writes "
                    + "its labels as words");
        }
        t5Strategy(p, t);
        if (t.getPrivacy().hasDifferentialPrivacy()) {
            p.add("privacy.differentialPrivacy is not available for a T5 base yet");
        }
        if (t.hasSearch()) {
            p.add("search is not available for a T5 base yet");
        }
    }

    private static void t5Strategy(List<String> p, TaskDefinitionEvent t) {
        FineTuningStrategy strategy = t.getHyperParameters().getFineTuning().getStrategy();
        if (strategy == FineTuningStrategy.HEAD_ONLY
                || strategy == FineTuningStrategy.TOP_LAYERS
                || strategy == FineTuningStrategy.GRADUAL_UNFREEZING) {
            // Their layers are counted from an encoder's head, which a text-to-text model does not have.
            p.add("hyperParameters.fineTuning.strategy " + strategy + ": a T5 base trains FULL or LORA");
        }
    }

    /**
     * What a task that writes text does without: labels (each example's completion or target is its own) and
     * stratified splits.
     */
    private static void generation(List<String> p, TaskDefinitionEvent t) {
        String type = t.getType().name();
        if (t.getLabelsCount() > 0) {
            p.add("labels: a " + type + " task has none (each example's " + (t.getType() == TaskType.SEQ2SEQ
                    ? "target"
                    : "completion") + " is its own)");
        }
        if (t.getPreprocessing().getStratify()) {
            p.add("preprocessing.stratify: a " + type + " task has no labels to stratify by");
        }
        if (t.getPrivacy().hasDifferentialPrivacy()) {
            p.add("privacy.differentialPrivacy is not available for " + type + " tasks yet");
        }
        if (t.hasSearch()) {
            p.add("search is not available for " + type + " tasks yet");
        }
        EvaluationSpec e = t.getEvaluation();
        if (e.getGenerationMetric() == GenerationMetric.UNRECOGNIZED) {
            p.add("evaluation.generationMetric must be one of ROUGE_L, CHRF, EXACT_MATCH, TOKEN_F1");
        }
        range(p, "evaluation.generationMaxNewTokens", e.getGenerationMaxNewTokens(), 1, 512);
        if (e.hasFloors()) {
            p.add("evaluation.floors are the classifiers' figures; a " + type + " task is gated on "
                    + "evaluation.generationMetric");
        }
    }

    private static void evaluation(List<String> p, EvaluationSpec e) {
        if (e.getPolicy() == PromotionPolicy.UNRECOGNIZED) {
            p.add("evaluation.policy must be one of PLAIN_MARGIN, SUPERIORITY, NON_INFERIORITY");
        }
        unit(p, "evaluation.nonInferiorityMargin", e.getNonInferiorityMargin());
        if (!(e.getConfidence() >= 0.5 && e.getConfidence() < 1)) {
            p.add("evaluation.confidence must be in [0.5, 1)");
        }
        range(p, "evaluation.bootstrapResamples", e.getBootstrapResamples(), 1000, 100_000);
        unit(p, "evaluation.classTolerance", e.getClassTolerance());
        unit(p, "evaluation.sliceTolerance", e.getSliceTolerance());
        unit(p, "evaluation.robustnessTolerance", e.getRobustnessTolerance());
        range(p, "evaluation.sliceMinExamples", e.getSliceMinExamples(), 1, 1_000_000);
        range(p, "evaluation.robustnessExamples", e.getRobustnessExamples(), 1, 100_000);
        if (e.getSliceKeysList().stream().anyMatch(String::isBlank)) {
            p.add("evaluation.sliceKeys must not hold an empty key");
        }
        unit(p, "evaluation.floors.macroF1", e.getFloors().getMacroF1());
        unit(p, "evaluation.floors.accuracy", e.getFloors().getAccuracy());
        unit(p, "evaluation.floors.entityF1", e.getFloors().getEntityF1());
    }

    private static void unit(List<String> p, String field, double v) {
        if (!(v >= 0 && v <= 1)) {
            p.add(field + " must be in [0, 1]");
        }
    }

    private static void range(List<String> p, String field, long v, long min, long max) {
        if (v < min || v > max) {
            p.add(field + " must be in [" + min + ", " + max + "]");
        }
    }

    private TaskValidation() {
    }
}
