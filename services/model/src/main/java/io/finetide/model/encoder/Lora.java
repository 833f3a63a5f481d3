package io.finetide.model.encoder;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Low-rank adapters (Hu et al., 2021): a targeted projection {@code x W + b} becomes {@code x W + b + (alpha / rank) x A
 * B} with {@code A} [in, rank] and {@code B} [rank, out]. B starts at zero, so the adapted model starts as the base;
 * only A, B (and the head) train, and {@code W + (alpha / rank) A B} replaces W on export, so the served model is a
 * plain encoder of the base's shape and speed.
 */
public record Lora(int rank, double alpha, Set<Target> targets) {

    /** The projections of each encoder layer that may carry an adapter. */
    public enum Target {
        QUERY("attention.self.query"), KEY("attention.self.key"), VALUE("attention.self.value"), ATTENTION_OUTPUT(
                "attention.output.dense"), INTERMEDIATE("intermediate.dense"), OUTPUT("output.dense");

        private final String suffix;

        Target(String suffix) {
            this.suffix = suffix;
        }

        public String suffix() {
            return suffix;
        }

        /** A target by its lower-case name ("query", "attention_output", ...). */
        public static Target parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown LoRA target '" + name + "', known: " + List.of(values())
                        .stream().map(t -> t.name().toLowerCase(Locale.ROOT)).toList());
            }
        }
    }

    public static final String A = ".lora_A";
    public static final String B = ".lora_B";

    public Lora {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("LoRA alpha must be positive, got " + alpha);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target projection");
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** The usual choice: query and value projections. */
    public static Lora of(int rank, double alpha) {
        return new Lora(rank, alpha, EnumSet.of(Target.QUERY, Target.VALUE));
    }

    public double scale() {
        return alpha / rank;
    }

    /** The linear-layer prefixes that carry an adapter, e.g. {@code encoder.layer.0.attention.self.query}. */
    public List<String> prefixes(EncoderConfig config) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < (config.shareLayers() ? 1 : config.layers()); i++) {
            for (Target t : Target.values()) {
                if (targets.contains(t)) {
                    out.add(ParamSpec.layer(config, i) + t.suffix());
                }
            }
        }
        return out;
    }

    /** The adapter parameters, A then B per prefix; weight decay applies to both, as in PEFT. */
    public List<ParamSpec> params(EncoderConfig config) {
        List<ParamSpec> out = new ArrayList<>();
        for (String prefix : prefixes(config)) {
            int in = prefix.endsWith("output.dense") && !prefix.endsWith("attention.output.dense")
                    ? config.intermediateSize()
                    : config.hiddenSize();
            int outSize = prefix.endsWith("intermediate.dense") ? config.intermediateSize() : config.hiddenSize();
            out.add(new ParamSpec(prefix + A, new int[]{in, rank}, ParamSpec.Init.NORMAL, true));
            out.add(new ParamSpec(prefix + B, new int[]{rank, outSize}, ParamSpec.Init.ZEROS, true));
        }
        return out;
    }

    /**
     * Seeded starting values: A uniform in +-1/sqrt(in) (PEFT's Kaiming-uniform with a = sqrt 5), B zeros.
     */
    public Weights initial(EncoderConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x10AAL);
        java.util.Map<String, Weights.Tensor> m = new java.util.LinkedHashMap<>();
        for (ParamSpec p : params(config)) {
            float[] v = new float[p.size()];
            if (p.init() == ParamSpec.Init.NORMAL) {
                double bound = 1 / Math.sqrt(p.shape()[0]);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextDouble(-bound, bound);
                }
            }
            m.put(p.name(), new Weights.Tensor(p.shape().clone(), v));
        }
        return new Weights(m);
    }
}
