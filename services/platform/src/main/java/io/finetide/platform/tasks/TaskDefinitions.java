package io.finetide.platform.tasks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.text.CleaningPipeline;
import io.finetide.platform.text.PiiRedactor;
import io.finetide.proto.v1.ClassWeighting;
import io.finetide.proto.v1.ConflictPolicy;
import io.finetide.proto.v1.FineTuning;
import io.finetide.proto.v1.FineTuningStrategy;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.LabelingSpec;
import io.finetide.proto.v1.LoraTarget;
import io.finetide.proto.v1.LrSchedule;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.Optimizer;
import io.finetide.proto.v1.PreprocessingSpec;
import io.finetide.proto.v1.RetentionSpec;
import io.finetide.proto.v1.SelectionMetric;
import io.finetide.proto.v1.SplitRatios;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;
import io.finetide.proto.v1.TriggerSpec;
import io.finetide.proto.v1.Truncation;
import io.finetide.proto.v1.UncertaintyMeasure;
import io.finetide.proto.v1.WeakLabelModel;

/**
 * Task definitions as users write them (JSON, the protobuf field names in lowerCamelCase), with documented defaults
 * for everything but {@code name} and {@code labels}, and validation that names every problem at once.
 */
public final class TaskDefinitions {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    public static final String ARCHITECTURE_ENCODER = "transformer-encoder";
    /** Tokenizers whose files ship with the platform (see the model library's TextEncoder). */
    public static final Set<String> TOKENIZERS = Set.of("minilm-l6", "bge-small");
    public static final String BASE_RANDOM = "random";
    /**
     * Pretrained bases that ship with the platform (see the model library's PretrainedEncoders), with the shape and
     * tokenizer they fix.
     */
    public static final Map<String, ModelSpec> PRETRAINED = Map.of("minilm-l6", ModelSpec.newBuilder()
            .setTokenizer("minilm-l6").setLayers(6).setHiddenSize(384).setHeads(12).setFfnSize(1536).build(),
            "bge-small", ModelSpec.newBuilder().setTokenizer("bge-small").setLayers(12).setHiddenSize(384).setHeads(12)
                    .setFfnSize(1536).build());
    public static final String DEFAULT_BASE = "minilm-l6";
    /**
     * A base model a user uploaded (a Hugging Face folder, see the training service's base-model API) is named
     * {@code user/<name>}; its tokenizer has the same name.
     */
    public static final String USER_BASE_PREFIX = "user/";
    /** Shapes of the bases that ship with the platform only. */
    public static final BaseResolver BUILTIN_BASES = PRETRAINED::get;

    /** The shape and tokenizer a base model fixes, or null for an unknown one. */
    @FunctionalInterface
    public interface BaseResolver {
        ModelSpec resolve(String base);
    }

    /** The size of a random start when the task gives none. */
    public static final ModelSpec DEFAULT_MODEL = ModelSpec.newBuilder()
            .setArchitecture(ARCHITECTURE_ENCODER).setTokenizer("minilm-l6")
            .setLayers(2).setHiddenSize(128).setHeads(4).setFfnSize(256).setMaxSeqLen(64).build();
    /** Fine-tuning a pretrained base: a small learning rate, few epochs. */
    public static final HyperParameters DEFAULT_HYPER_PARAMETERS = HyperParameters.newBuilder()
            .setLearningRate(5e-5).setBatchSize(32).setEpochs(3).setWeightDecay(0.01).setWarmupRatio(0.1)
            .setMaxGradNorm(1.0).setSeed(42).setDropout(0.1).build();
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

    private TaskDefinitions() {
    }

    public static TaskDefinitionEvent fromJson(String json) {
        TaskDefinitionEvent.Builder b = TaskDefinitionEvent.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new RejectedException(ReasonCode.INVALID_TASK, "malformed task definition: " + e.getMessage());
        }
        return withDefaults(b.build());
    }

    public static String toJson(TaskDefinitionEvent task) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(task);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fills every unset field with its default; set fields are kept. */
    public static TaskDefinitionEvent withDefaults(TaskDefinitionEvent in) {
        return withDefaults(in, BUILTIN_BASES);
    }

    /** As {@link #withDefaults(TaskDefinitionEvent)}, knowing the bases {@code bases} resolves (uploaded ones too). */
    public static TaskDefinitionEvent withDefaults(TaskDefinitionEvent in, BaseResolver bases) {
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
        return b.build();
    }

    private static ModelSpec mergeModel(ModelSpec m, BaseResolver bases) {
        String base = m.getBaseModel().isEmpty() ? DEFAULT_BASE : m.getBaseModel();
        ModelSpec pretrained = bases.resolve(base);
        if (pretrained != null) {
            // The base decides the shape; what the task said about it is overridden, not silently mixed.
            m = m.toBuilder().setTokenizer(pretrained.getTokenizer()).setLayers(pretrained.getLayers())
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
                .setMaxSeqLen(m.getMaxSeqLen() == 0 ? d.getMaxSeqLen() : m.getMaxSeqLen())
                .build();
    }

    private static HyperParameters mergeHp(HyperParameters h) {
        HyperParameters d = DEFAULT_HYPER_PARAMETERS;
        // Zero is a meaningful value for weight decay, warmup, clipping, dropout and seed only when set explicitly;
        // proto3 cannot tell, so zero there means "use the default" except for the seed.
        return HyperParameters.newBuilder()
                .setLearningRate(h.getLearningRate() == 0 ? d.getLearningRate() : h.getLearningRate())
                .setBatchSize(h.getBatchSize() == 0 ? d.getBatchSize() : h.getBatchSize())
                .setEpochs(h.getEpochs() == 0 ? d.getEpochs() : h.getEpochs())
                .setWeightDecay(h.getWeightDecay() == 0 ? d.getWeightDecay() : h.getWeightDecay())
                .setWarmupRatio(h.getWarmupRatio() == 0 ? d.getWarmupRatio() : h.getWarmupRatio())
                .setMaxGradNorm(h.getMaxGradNorm() == 0 ? d.getMaxGradNorm() : h.getMaxGradNorm())
                .setSeed(h.getSeed() == 0 ? d.getSeed() : h.getSeed())
                .setDropout(h.getDropout() == 0 ? d.getDropout() : h.getDropout())
                .setLabelSmoothing(h.getLabelSmoothing())
                .setSchedule(
                        h.getSchedule() == LrSchedule.LR_SCHEDULE_UNSPECIFIED ? LrSchedule.LINEAR : h.getSchedule())
                .setClassWeighting(h.getClassWeighting() == ClassWeighting.CLASS_WEIGHTING_UNSPECIFIED
                        ? ClassWeighting.UNWEIGHTED
                        : h.getClassWeighting())
                .setLayerLrDecay(h.getLayerLrDecay() == 0 ? 1.0 : h.getLayerLrDecay())
                .setFineTuning(mergeFineTuning(h.getFineTuning()))
                .setOptimizer(h.getOptimizer() == Optimizer.OPTIMIZER_UNSPECIFIED ? Optimizer.ADAMW : h.getOptimizer())
                .setMomentum(h.getOptimizer() == Optimizer.SGD && h.getMomentum() == 0 ? 0.9 : h.getMomentum())
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

    /** Every problem of a (defaulted) task, or an empty list. */
    public static List<String> problems(TaskDefinitionEvent t) {
        return problems(t, BUILTIN_BASES);
    }

    /** Every problem of a (defaulted) task, knowing the bases {@code bases} resolves. */
    public static List<String> problems(TaskDefinitionEvent t, BaseResolver bases) {
        List<String> p = new ArrayList<>();
        if (!NAME.matcher(t.getName()).matches()) {
            p.add("name must match " + NAME.pattern());
        }
        if (t.getType() != TaskType.TEXT_CLASSIFICATION && t.getType() != TaskType.TOKEN_CLASSIFICATION) {
            p.add("type must be TEXT_CLASSIFICATION or TOKEN_CLASSIFICATION");
        }
        boolean tokens = t.getType() == TaskType.TOKEN_CLASSIFICATION;
        // An entity type and "O" make two tags already.
        if (t.getLabelsCount() < (tokens ? 1 : 2)) {
            p.add(tokens ? "labels: at least 1 entity type is needed" : "labels: at least 2 are needed");
        }
        if (tokens) {
            t.getLabelsList().stream().map(io.finetide.platform.labeling.Bio::typeProblem).filter(
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
        if (!m.getArchitecture().equals(ARCHITECTURE_ENCODER)) {
            p.add("model.architecture must be '" + ARCHITECTURE_ENCODER + "'");
        }
        boolean uploaded = m.getBaseModel().startsWith(USER_BASE_PREFIX);
        if (uploaded) {
            if (bases.resolve(m.getBaseModel()) == null) {
                p.add("model.baseModel '" + m.getBaseModel() + "' has not been uploaded (PUT /api/v1/base-models/"
                        + m.getBaseModel().substring(USER_BASE_PREFIX.length()) + " on the training service)");
            } else if (!m.getTokenizer().equals(m.getBaseModel())) {
                p.add("model.tokenizer of an uploaded base is its own ('" + m.getBaseModel() + "')");
            }
        } else if (!TOKENIZERS.contains(m.getTokenizer())) {
            p.add("model.tokenizer must be one of " + TOKENIZERS);
        }
        if (!uploaded && !m.getBaseModel().equals(BASE_RANDOM) && !PRETRAINED.containsKey(m.getBaseModel())) {
            p.add("model.baseModel must be '" + BASE_RANDOM + "', one of " + PRETRAINED.keySet() + " or '"
                    + USER_BASE_PREFIX + "<name>' of an uploaded base");
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
                PiiRedactor.Type.parse(type);
            } catch (IllegalArgumentException e) {
                p.add("privacy.piiTypes: '" + type + "' is not one of " + java.util.Arrays.toString(PiiRedactor.Type
                        .values()));
            }
        }
        range(p, "dedup.nearDuplicateMaxDistance", t.getDedup().getNearDuplicateMaxDistance(), 0, 15);
        range(p, "labeling.quorum", t.getLabeling().getQuorum(), 1, 20);
        range(p, "labeling.batchMinDistance", t.getLabeling().getBatchMinDistance(), 1, 32);
        RetentionSpec r = t.getRetention();
        range(p, "retention.keep", r.getKeep(), 0, 100_000);
        range(p, "retention.maxAgeHours", r.getMaxAgeHours(), 0, 100L * 365 * 24);
        return p;
    }

    /** Defaults, validation and a fresh envelope: what ingestion publishes. */
    public static TaskDefinitionEvent validated(TaskDefinitionEvent in) {
        return validated(in, BUILTIN_BASES);
    }

    public static TaskDefinitionEvent validated(TaskDefinitionEvent in, BaseResolver bases) {
        TaskDefinitionEvent t = withDefaults(in, bases);
        List<String> problems = problems(t, bases);
        if (!problems.isEmpty()) {
            throw new RejectedException(ReasonCode.INVALID_TASK, String.join("; ", problems));
        }
        return t;
    }

    public static TaskDefinitionEvent stamped(TaskDefinitionEvent t, long createdAtMs) {
        return t.toBuilder().setMeta(Events.meta(t.getName())).setCreatedAtMs(createdAtMs)
                .setRevision(Math.max(1, t.getRevision())).build();
    }

    /**
     * The definition without its envelope, timestamps and revision: two submissions are the same task when these are
     * equal.
     */
    public static TaskDefinitionEvent content(TaskDefinitionEvent t) {
        return t.toBuilder().clearMeta().clearCreatedAtMs().clearRevision().build();
    }

    /**
     * A change to an existing task: the labels, the type and the split ratios cannot change (examples already carry
     * them: a new label set or other ratios would be a new task); the rest can, and the revision goes up by one.
     */
    public static TaskDefinitionEvent changed(TaskDefinitionEvent existing, TaskDefinitionEvent submitted,
            BaseResolver bases) {
        TaskDefinitionEvent t = validated(submitted, bases);
        List<String> p = new ArrayList<>();
        if (!t.getName().equals(existing.getName())) {
            p.add("name cannot change");
        }
        if (!t.getLabelsList().equals(existing.getLabelsList())) {
            p.add("labels cannot change (create a new task)");
        }
        if (t.getType() != existing.getType()) {
            p.add("type cannot change");
        }
        if (!t.getSplits().equals(existing.getSplits())) {
            p.add("splits cannot change: examples keep the split they were given");
        }
        if (!p.isEmpty()) {
            throw new RejectedException(ReasonCode.INVALID_TASK, String.join("; ", p));
        }
        return t.toBuilder().setMeta(Events.meta(t.getName())).setCreatedAtMs(existing.getCreatedAtMs())
                .setRevision(existing.getRevision() + 1).build();
    }

    private static void range(List<String> p, String field, long v, long min, long max) {
        if (v < min || v > max) {
            p.add(field + " must be in [" + min + ", " + max + "]");
        }
    }
}
