package io.finetide.model.adapters;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Low-rank adapters (Hu et al., 2021): a targeted projection {@code x W + b} becomes {@code x W + b + (alpha / rank) x A
 * B} with {@code A} [in, rank] and {@code B} [rank, out]. B starts at zero, so the adapted model starts as the base;
 * only A, B (and the head) train, and {@code W + (alpha / rank) A B} replaces W on export, so the served model is a
 * plain encoder of the base's shape and speed.
 */
public record Lora(int rank, double alpha, Set<Target> targets) {

    /**
     * The projections of each layer that may carry an adapter. In an encoder-decoder the attention targets adapt every
     * attention of a block: the encoder's self-attention, the decoder's self- and cross-attention.
     */
    public enum Target {
        QUERY("attention.self.query", "q"), KEY("attention.self.key", "k"), VALUE("attention.self.value",
                "v"), ATTENTION_OUTPUT("attention.output.dense", "o"), INTERMEDIATE("intermediate.dense",
                        "DenseReluDense.wi"), OUTPUT("output.dense", "DenseReluDense.wo");

        private final String suffix;
        private final String t5;

        Target(String suffix, String t5) {
            this.suffix = suffix;
            this.t5 = t5;
        }

        public String suffix() {
            return suffix;
        }

        boolean feedForward() {
            return this == INTERMEDIATE || this == OUTPUT;
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
    public List<String> prefixes(TransformerConfig config) {
        List<String> out = new ArrayList<>();
        if (config.encoderDecoder()) {
            for (String stack : List.of(ParamSpec.T5_ENCODER, ParamSpec.T5_DECODER)) {
                for (int i = 0; i < config.layers(); i++) {
                    String block = ParamSpec.block(stack, i);
                    for (Target t : Target.values()) {
                        if (!targets.contains(t)) {
                            continue;
                        }
                        if (t.feedForward()) {
                            out.add(block + ParamSpec.feedForward(stack) + "." + t.t5);
                        } else {
                            out.add(block + ParamSpec.SELF_ATTENTION + "." + t.t5);
                            if (stack.equals(ParamSpec.T5_DECODER)) {
                                out.add(block + ParamSpec.CROSS_ATTENTION + "." + t.t5);
                            }
                        }
                    }
                }
            }
            return out;
        }
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
    public List<ParamSpec> params(TransformerConfig config) {
        List<ParamSpec> out = new ArrayList<>();
        java.util.Map<String, int[]> shapes = new java.util.HashMap<>();
        ParamSpec.forConfig(config).forEach(p -> shapes.put(p.name(), p.shape()));
        for (String prefix : prefixes(config)) {
            int[] adapted = shapes.get(prefix + ".weight");
            int in = adapted[0];
            int outSize = adapted[1];
            out.add(new ParamSpec(prefix + A, new int[]{in, rank}, ParamSpec.Init.NORMAL, true));
            out.add(new ParamSpec(prefix + B, new int[]{rank, outSize}, ParamSpec.Init.ZEROS, true));
        }
        return out;
    }

    /**
     * Seeded starting values: A uniform in +-1/sqrt(in) (PEFT's Kaiming-uniform with a = sqrt 5), B zeros.
     */
    public Weights initial(TransformerConfig config, long seed) {
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
