package io.finetide.platform.tasks;

import io.finetide.platform.datasets.SequenceLengths;
import io.finetide.platform.search.StudySpecs;
import io.finetide.platform.text.CleaningPipeline;
import io.finetide.proto.v1.ClassWeighting;
import io.finetide.proto.v1.ConflictPolicy;
import io.finetide.proto.v1.DifferentialPrivacy;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.FineTuning;
import io.finetide.proto.v1.FineTuningStrategy;
import io.finetide.proto.v1.GenerationMetric;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.LabelingSpec;
import io.finetide.proto.v1.LoraTarget;
import io.finetide.proto.v1.LrSchedule;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.Optimizer;
import io.finetide.proto.v1.PreprocessingSpec;
import io.finetide.proto.v1.PromotionPolicy;
import io.finetide.proto.v1.SelectionMetric;
import io.finetide.proto.v1.SplitRatios;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;
import io.finetide.proto.v1.TriggerSpec;
import io.finetide.proto.v1.Truncation;
import io.finetide.proto.v1.UncertaintyMeasure;
import io.finetide.proto.v1.WeakLabelModel;

/**
 * The documented default of every task field but {@code name} and {@code labels}, and how a task's unset fields take
 * them. A field that proto3 cannot tell unset from zero reads 0 as unset, except those declared {@code optional} in
 * the schema (see HyperParameters), where 0 is a value.
 */
public final class TaskDefaults {

    /** The size of a random start when the task gives none. */
    public static final ModelSpec DEFAULT_MODEL = ModelSpec.newBuilder()
            .setArchitecture(BaseCatalogue.ARCHITECTURE_ENCODER).setTokenizer("minilm-l6")
            .setLayers(2).setHiddenSize(128).setHeads(4).setFfnSize(256).build();
    /** Fine-tuning a pretrained base: a small learning rate, few epochs. */
    public static final HyperParameters DEFAULT_HYPER_PARAMETERS = HyperParameters.newBuilder()
            .setLearningRate(5e-5).setBatchSize(32).setEpochs(3).setWeightDecay(0.01).setWarmupRatio(0.1)
            .setMaxGradNorm(1.0).setSeed(42).setDropout(0.1).build();
    /** SGD's heavy-ball momentum when a task names SGD and leaves the momentum out. */
    public static final double DEFAULT_SGD_MOMENTUM = 0.9;
    public static final SplitRatios DEFAULT_SPLITS = SplitRatios.newBuilder().setTrain(0.8).setValidation(0.1)
            .setTest(0.1).build();
    public static final int DEFAULT_TRIGGER = 1000;
    public static final double DEFAULT_PROMOTION_MARGIN = 0.0;
    public static final int DEFAULT_MAX_TEXT_BYTES = 4096;
    public static final int DEFAULT_RECENT_TEST_SIZE = 1000;
    public static final int DEFAULT_DRIFT_MIN_EXAMPLES = 200;
    public static final long DEFAULT_DEBOUNCE_MILLIS = 2000;
    public static final long DEFAULT_MIN_INTERVAL_SECONDS = 60;
    public static final int DEFAULT_QUORUM = 1;
    public static final int DEFAULT_BATCH_MIN_DISTANCE = 3;
    /** Differential privacy's δ when the task gives none: below one over the training examples of most tasks. */
    public static final double DEFAULT_PRIVACY_DELTA = 1e-5;
    /** DP-SGD's per-example clipping norm when the task gives none. */
    public static final double DEFAULT_PRIVACY_CLIP_NORM = 1.0;
    /** Without a noise multiplier or a per-run ε: each run may spend this share of the task's budget. */
    public static final double DEFAULT_PRIVACY_SHARE_PER_RUN = 0.25;
    /** The promotion gate's defaults (docs/EVALUATION.md explains each rule). */
    public static final EvaluationSpec DEFAULT_EVALUATION = EvaluationSpec.newBuilder()
            .setPolicy(PromotionPolicy.PLAIN_MARGIN).setNonInferiorityMargin(0.01).setConfidence(0.95)
            .setBootstrapResamples(1000).setClassTolerance(0.05).setSliceMinExamples(30).setSliceTolerance(0.05)
            .setRobustnessTolerance(0.05).setRobustnessExamples(200).setGenerationMetric(GenerationMetric.ROUGE_L)
            .setGenerationMaxNewTokens(64).build();

    /** As defaults, knowing the bases {@code bases} resolves (uploaded ones too). */
    public static TaskDefinitionEvent withDefaults(TaskDefinitionEvent in, BaseCatalogue.BaseResolver bases) {
        TaskDefinitionEvent.Builder b = in.toBuilder();
        if (b.getType() == TaskType.TASK_TYPE_UNSPECIFIED) {
            b.setType(TaskType.TEXT_CLASSIFICATION);
        }
        b.setModel(mergeModel(in.hasModel() ? in.getModel() : ModelSpec.getDefaultInstance(), bases));
        b.setHyperParameters(mergeHp(in.hasHyperParameters()
                ? in.getHyperParameters()
                : HyperParameters.getDefaultInstance()));
        if (!in.hasSplits()) {
            b.setSplits(DEFAULT_SPLITS);
        }
        if (b.getTriggerMinNewExamples() == 0) {
            b.setTriggerMinNewExamples(DEFAULT_TRIGGER);
        }
        if (b.getMaxTextBytes() == 0) {
            b.setMaxTextBytes(DEFAULT_MAX_TEXT_BYTES);
        }
        PreprocessingSpec.Builder pp = in.getPreprocessing().toBuilder();
        if (pp.getCleaningCount() == 0) {
            pp.addAllCleaning(CleaningPipeline.DEFAULT);
        }
        if (pp.getRecentTestSize() == 0) {
            pp.setRecentTestSize(DEFAULT_RECENT_TEST_SIZE);
        }
        if (pp.getTruncation() == Truncation.TRUNCATION_UNSPECIFIED) {
            pp.setTruncation(Truncation.HEAD);
        }
        b.setPreprocessing(pp);
        TriggerSpec.Builder tr = in.getTriggers().toBuilder();
        if (tr.getDriftMinExamples() == 0) {
            tr.setDriftMinExamples(DEFAULT_DRIFT_MIN_EXAMPLES);
        }
        if (tr.getDebounceMillis() == 0) {
            tr.setDebounceMillis(DEFAULT_DEBOUNCE_MILLIS);
        }
        if (tr.getMinIntervalSeconds() == 0) {
            tr.setMinIntervalSeconds(DEFAULT_MIN_INTERVAL_SECONDS);
        }
        b.setTriggers(tr);
        b.setRetention(in.getRetention());
        LabelingSpec.Builder lb = in.getLabeling().toBuilder();
        if (lb.getQuorum() == 0) {
            lb.setQuorum(DEFAULT_QUORUM);
        }
        if (lb.getConflicts() == ConflictPolicy.CONFLICT_POLICY_UNSPECIFIED) {
            lb.setConflicts(ConflictPolicy.MAJORITY);
        }
        if (lb.getUncertainty() == UncertaintyMeasure.UNCERTAINTY_MEASURE_UNSPECIFIED) {
            lb.setUncertainty(UncertaintyMeasure.ENTROPY);
        }
        if (lb.getBatchMinDistance() == 0) {
            lb.setBatchMinDistance(DEFAULT_BATCH_MIN_DISTANCE);
        }
        if (lb.getWeakLabelModel() == WeakLabelModel.WEAK_LABEL_MODEL_UNSPECIFIED) {
            lb.setWeakLabelModel(WeakLabelModel.LABEL_MODEL);
        }
        b.setLabeling(lb);
        b.setEvaluation(mergeEvaluation(in.getEvaluation()));
        if (in.hasSearch()) {
            b.setSearch(StudySpecs.withDefaults(in.getSearch()));
        }
        if (in.getPrivacy().hasDifferentialPrivacy()) {
            b.setPrivacy(in.getPrivacy().toBuilder().setDifferentialPrivacy(mergePrivacy(in.getPrivacy()
                    .getDifferentialPrivacy())));
        }
        return b.build();
    }

    private static DifferentialPrivacy mergePrivacy(DifferentialPrivacy dp) {
        DifferentialPrivacy.Builder b = dp.toBuilder();
        if (b.getDelta() == 0) {
            b.setDelta(DEFAULT_PRIVACY_DELTA);
        }
        if (b.getClipNorm() == 0) {
            b.setClipNorm(DEFAULT_PRIVACY_CLIP_NORM);
        }
        if (b.getNoiseMultiplier() == 0 && b.getEpsilonPerRun() == 0) {
            b.setEpsilonPerRun(b.getEpsilonBudget() * DEFAULT_PRIVACY_SHARE_PER_RUN);
        }
        return b.build();
    }

    private static EvaluationSpec mergeEvaluation(EvaluationSpec e) {
        EvaluationSpec d = DEFAULT_EVALUATION;
        EvaluationSpec.Builder b = e.toBuilder();
        if (e.getPolicy() == PromotionPolicy.PROMOTION_POLICY_UNSPECIFIED) {
            b.setPolicy(d.getPolicy());
        }
        if (e.getNonInferiorityMargin() == 0) {
            b.setNonInferiorityMargin(d.getNonInferiorityMargin());
        }
        if (e.getConfidence() == 0) {
            b.setConfidence(d.getConfidence());
        }
        if (e.getBootstrapResamples() == 0) {
            b.setBootstrapResamples(d.getBootstrapResamples());
        }
        if (e.getGenerationMetric() == GenerationMetric.GENERATION_METRIC_UNSPECIFIED) {
            b.setGenerationMetric(d.getGenerationMetric());
        }
        if (e.getGenerationMaxNewTokens() == 0) {
            b.setGenerationMaxNewTokens(d.getGenerationMaxNewTokens());
        }
        if (!e.hasClassTolerance()) {
            b.setClassTolerance(d.getClassTolerance());
        }
        if (e.getSliceMinExamples() == 0) {
            b.setSliceMinExamples(d.getSliceMinExamples());
        }
        if (!e.hasSliceTolerance()) {
            b.setSliceTolerance(d.getSliceTolerance());
        }
        if (!e.hasRobustnessTolerance()) {
            b.setRobustnessTolerance(d.getRobustnessTolerance());
        }
        if (e.getRobustnessExamples() == 0) {
            b.setRobustnessExamples(d.getRobustnessExamples());
        }
        return b.build();
    }

    private static ModelSpec mergeModel(ModelSpec m, BaseCatalogue.BaseResolver bases) {
        String base = m.getBaseModel().isEmpty() ? BaseCatalogue.DEFAULT_BASE : m.getBaseModel();
        ModelSpec pretrained = bases.resolve(base);
        // A base's max_seq_len is its positions: a length chosen from the data stays within them.
        int positions = pretrained == null || pretrained.getMaxSeqLen() == 0
                ? Integer.MAX_VALUE
                : pretrained
                        .getMaxSeqLen();
        int cap = Math.min(SequenceLengths.COMPUTE_BUDGET, positions);
        // A task read back (cap and flag set) and submitted again keeps choosing; one whose length was edited has set it.
        boolean fromData = m.getMaxSeqLen() == 0 || m.getMaxSeqLenFromData() && m.getMaxSeqLen() == cap;
        if (pretrained != null) {
            // The base decides the shape; what the task said about it is overridden, not silently mixed.
            m = m.toBuilder().setArchitecture(pretrained.getArchitecture().isEmpty()
                    ? m.getArchitecture()
                    : pretrained.getArchitecture()).setTokenizer(pretrained.getTokenizer()).setLayers(pretrained
                            .getLayers())
                    .setHiddenSize(pretrained.getHiddenSize()).setHeads(pretrained.getHeads())
                    .setFfnSize(pretrained.getFfnSize()).build();
        }
        ModelSpec d = DEFAULT_MODEL;
        return ModelSpec.newBuilder()
                .setBaseModel(base)
                .setArchitecture(m.getArchitecture().isEmpty() ? d.getArchitecture() : m.getArchitecture())
                .setTokenizer(m.getTokenizer().isEmpty() ? d.getTokenizer() : m.getTokenizer())
                .setLayers(m.getLayers() == 0 ? d.getLayers() : m.getLayers())
                .setHiddenSize(m.getHiddenSize() == 0 ? d.getHiddenSize() : m.getHiddenSize())
                .setHeads(m.getHeads() == 0 ? d.getHeads() : m.getHeads())
                .setFfnSize(m.getFfnSize() == 0 ? d.getFfnSize() : m.getFfnSize())
                .setMaxSeqLen(fromData ? cap : m.getMaxSeqLen())
                .setMaxSeqLenFromData(fromData)
                .build();
    }

    private static HyperParameters mergeHp(HyperParameters h) {
        HyperParameters d = DEFAULT_HYPER_PARAMETERS;
        // Weight decay, warmup, clipping, seed, dropout and momentum have presence: an explicit 0 is a value (no
        // decay, no warmup, no clipping, seed 0, no dropout, plain SGD); only a field left out takes the default.
        return HyperParameters.newBuilder()
                .setLearningRate(h.getLearningRate() == 0 ? d.getLearningRate() : h.getLearningRate())
                .setBatchSize(h.getBatchSize() == 0 ? d.getBatchSize() : h.getBatchSize())
                .setEpochs(h.getEpochs() == 0 ? d.getEpochs() : h.getEpochs())
                .setWeightDecay(h.hasWeightDecay() ? h.getWeightDecay() : d.getWeightDecay())
                .setWarmupRatio(h.hasWarmupRatio() ? h.getWarmupRatio() : d.getWarmupRatio())
                .setMaxGradNorm(h.hasMaxGradNorm() ? h.getMaxGradNorm() : d.getMaxGradNorm())
                .setSeed(h.hasSeed() ? h.getSeed() : d.getSeed())
                .setDropout(h.hasDropout() ? h.getDropout() : d.getDropout())
                .setLabelSmoothing(h.getLabelSmoothing())
                .setSchedule(
                        h.getSchedule() == LrSchedule.LR_SCHEDULE_UNSPECIFIED ? LrSchedule.LINEAR : h.getSchedule())
                .setClassWeighting(h.getClassWeighting() == ClassWeighting.CLASS_WEIGHTING_UNSPECIFIED
                        ? ClassWeighting.UNWEIGHTED
                        : h.getClassWeighting())
                .setLayerLrDecay(h.getLayerLrDecay() == 0 ? 1.0 : h.getLayerLrDecay())
                .setFineTuning(mergeFineTuning(h.getFineTuning()))
                .setOptimizer(h.getOptimizer() == Optimizer.OPTIMIZER_UNSPECIFIED ? Optimizer.ADAMW : h.getOptimizer())
                .setMomentum(
                        h.getOptimizer() == Optimizer.SGD && !h.hasMomentum() ? DEFAULT_SGD_MOMENTUM : h.getMomentum())
                // Unset is 1; a negative count stays, for the validation to refuse with its reason.
                .setGradientAccumulationSteps(h.getGradientAccumulationSteps() == 0
                        ? 1
                        : h
                                .getGradientAccumulationSteps())
                .setSelectionMetric(h.getSelectionMetric() == SelectionMetric.SELECTION_METRIC_UNSPECIFIED
                        ? SelectionMetric.ACCURACY
                        : h.getSelectionMetric())
                .build();
    }

    private static FineTuning mergeFineTuning(FineTuning f) {
        FineTuning.Builder b = f.toBuilder();
        if (f.getStrategy() == FineTuningStrategy.FINE_TUNING_STRATEGY_UNSPECIFIED) {
            b.setStrategy(FineTuningStrategy.FULL);
        }
        if (f.getStrategy() == FineTuningStrategy.LORA) {
            int rank = f.getLoraRank() == 0 ? 8 : f.getLoraRank();
            b.setLoraRank(rank).setLoraAlpha(f.getLoraAlpha() == 0 ? 2.0 * rank : f.getLoraAlpha());
            if (f.getLoraTargetsCount() == 0) {
                b.addLoraTargets(LoraTarget.QUERY).addLoraTargets(LoraTarget.VALUE);
            }
        }
        return b.build();
    }

    private TaskDefaults() {
    }
}
