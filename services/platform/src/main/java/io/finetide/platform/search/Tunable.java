package io.finetide.platform.search;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

import com.google.protobuf.ProtocolMessageEnum;

import io.finetide.proto.v1.ClassWeighting;
import io.finetide.proto.v1.FineTuningStrategy;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.LrSchedule;
import io.finetide.proto.v1.Optimizer;

/**
 * The hyper-parameters a study may search, by their names in a task's JSON, each with its kind, the bounds the task's
 * validation allows and how a value goes into {@link HyperParameters}.
 */
public enum Tunable {

    LEARNING_RATE("learningRate", Kind.REAL, 0, 1, (b, v) -> b.setLearningRate((Double) v)), EPOCHS("epochs",
            Kind.INTEGER, 1, 1000, (b, v) -> b.setEpochs((Integer) v)), BATCH_SIZE("batchSize", Kind.INTEGER, 1, 4096,
                    (b, v) -> b.setBatchSize((Integer) v)), WEIGHT_DECAY("weightDecay", Kind.REAL, 0, 10,
                            (b, v) -> b.setWeightDecay((Double) v)), WARMUP_RATIO("warmupRatio", Kind.REAL, 0, 0.999,
                                    (b, v) -> b.setWarmupRatio((Double) v)), MAX_GRAD_NORM("maxGradNorm", Kind.REAL, 0,
                                            1000, (b, v) -> b.setMaxGradNorm((Double) v)), DROPOUT("dropout", Kind.REAL,
                                                    0, 0.999, (b, v) -> b.setDropout((Double) v)), LABEL_SMOOTHING(
                                                            "labelSmoothing", Kind.REAL, 0, 0.499,
                                                            (b, v) -> b.setLabelSmoothing((Double) v)), LAYER_LR_DECAY(
                                                                    "layerLrDecay", Kind.REAL, 0, 1,
                                                                    (b, v) -> b.setLayerLrDecay((Double) v)), MOMENTUM(
                                                                            "momentum", Kind.REAL, 0, 0.999,
                                                                            (b, v) -> b.setMomentum(
                                                                                    (Double) v)), GRADIENT_ACCUMULATION_STEPS(
                                                                                            "gradientAccumulationSteps",
                                                                                            Kind.INTEGER, 1, 1024,
                                                                                            (b, v) -> b
                                                                                                    .setGradientAccumulationSteps(
                                                                                                            (Integer) v)), SCHEDULE(
                                                                                                                    "schedule",
                                                                                                                    LrSchedule
                                                                                                                            .values(),
                                                                                                                    (b, v) -> b
                                                                                                                            .setSchedule(
                                                                                                                                    LrSchedule
                                                                                                                                            .valueOf(
                                                                                                                                                    (String) v))), OPTIMIZER(
                                                                                                                                                            "optimizer",
                                                                                                                                                            Optimizer
                                                                                                                                                                    .values(),
                                                                                                                                                            (b, v) -> b
                                                                                                                                                                    .setOptimizer(
                                                                                                                                                                            Optimizer
                                                                                                                                                                                    .valueOf(
                                                                                                                                                                                            (String) v))), CLASS_WEIGHTING(
                                                                                                                                                                                                    "classWeighting",
                                                                                                                                                                                                    ClassWeighting
                                                                                                                                                                                                            .values(),
                                                                                                                                                                                                    (b, v) -> b
                                                                                                                                                                                                            .setClassWeighting(
                                                                                                                                                                                                                    ClassWeighting
                                                                                                                                                                                                                            .valueOf(
                                                                                                                                                                                                                                    (String) v))),
    // A strategy's own settings go with it: the task's top layers or LoRA rank do not apply to another strategy.
    STRATEGY("fineTuning.strategy", FineTuningStrategy.values(), (b, v) -> b.setFineTuning(b.getFineTuning()
            .toBuilder().clearTopLayers().clearLoraRank().clearLoraAlpha().clearLoraTargets().setStrategy(
                    FineTuningStrategy.valueOf((String) v)))), TOP_LAYERS(
                            "fineTuning.topLayers", Kind.INTEGER, 1, 1000,
                            (b, v) -> b.getFineTuningBuilder().setTopLayers(
                                    (Integer) v)), LORA_RANK(
                                            "fineTuning.loraRank", Kind.INTEGER, 1, 256,
                                            (b, v) -> b.getFineTuningBuilder().setLoraRank(
                                                    (Integer) v)), LORA_ALPHA("fineTuning.loraAlpha", Kind.REAL, 0,
                                                            10_000, (b, v) -> b.getFineTuningBuilder().setLoraAlpha(
                                                                    (Double) v));

    public enum Kind {
        REAL, INTEGER, CHOICE
    }

    private final String jsonName;
    private final Kind kind;
    private final double min;
    private final double max;
    private final List<String> choices;
    private final BiConsumer<HyperParameters.Builder, Object> setter;

    Tunable(String jsonName, Kind kind, double min, double max, BiConsumer<HyperParameters.Builder, Object> setter) {
        this.jsonName = jsonName;
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.choices = List.of();
        this.setter = setter;
    }

    Tunable(String jsonName, ProtocolMessageEnum[] values, BiConsumer<HyperParameters.Builder, Object> setter) {
        this.jsonName = jsonName;
        this.kind = Kind.CHOICE;
        this.min = 0;
        this.max = 0;
        // The proto enum's real values: neither its zero "unspecified" nor UNRECOGNIZED.
        this.choices = Arrays.stream(values).filter(e -> !((Enum<?>) e).name().equals("UNRECOGNIZED") && e
                .getNumber() != 0).map(e -> ((Enum<?>) e).name()).toList();
        this.setter = setter;
    }

    public String jsonName() {
        return jsonName;
    }

    public Kind kind() {
        return kind;
    }

    /** The smallest value a task accepts (exclusive for the learning rate and the layer decay: they must be > 0). */
    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** An enumerated parameter's names. */
    public List<String> choices() {
        return choices;
    }

    /** {@code value}: a {@link Double}, an {@link Integer} or a choice's name, as the kind says. */
    public void apply(HyperParameters.Builder b, Object value) {
        setter.accept(b, value);
    }

    /** A value from its text ({@code 3.0E-4}, {@code 16}, {@code LORA}), as {@link #apply} takes it. */
    public Object parse(String text) {
        return switch (kind) {
            case REAL -> Double.parseDouble(text);
            case INTEGER -> (int) Double.parseDouble(text);
            case CHOICE -> {
                if (!choices.contains(text)) {
                    throw new IllegalArgumentException(jsonName + ": '" + text + "' is not one of " + choices);
                }
                yield text;
            }
        };
    }

    public static Optional<Tunable> named(String jsonName) {
        return Arrays.stream(values()).filter(t -> t.jsonName.equals(jsonName)).findFirst();
    }

    /** Every name, for error messages. */
    public static List<String> names() {
        return Arrays.stream(values()).map(Tunable::jsonName).toList();
    }
}
