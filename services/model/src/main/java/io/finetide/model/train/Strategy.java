package io.finetide.model.train;

import java.util.LinkedHashSet;
import java.util.Set;

import io.finetide.model.adapters.Lora;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;

/**
 * Which parameters a fine-tuning run updates; the others receive no update and keep their values bit for bit.
 *
 * @param topLayers with {@link Kind#TOP_LAYERS}: how many encoder layers from the top train with the head
 * @param lora      with {@link Kind#LORA}: the adapters
 */
public record Strategy(Kind kind, int topLayers, Lora lora) {

    public enum Kind {
        /** Every parameter. */
        FULL,
        /** Only the classification head: the encoder is a frozen feature extractor. */
        HEAD,
        /** The head and the top k encoder layers (layer-wise freezing from the bottom). */
        TOP_LAYERS,
        /**
         * ULMFiT's gradual unfreezing: the first epoch trains the head, each later epoch one more encoder layer from
         * the top, and once every layer trains, the embeddings too.
         */
        GRADUAL,
        /** Low-rank adapters on chosen projections, and the head; merged into the weights on export. */
        LORA,
        /**
         * An encoder-decoder's encoder blocks and final norm; the decoder and the shared embeddings (which are also the
         * tied output layer) stay as they are.
         */
        ENCODER_ONLY,
        /** An encoder-decoder's decoder blocks and final norm; the encoder and the shared embeddings stay. */
        DECODER_ONLY
    }

    public Strategy {
        if (kind == Kind.TOP_LAYERS && topLayers < 1) {
            throw new IllegalArgumentException("top-k needs k >= 1, got " + topLayers);
        }
        if ((kind == Kind.LORA) != (lora != null)) {
            throw new IllegalArgumentException("LoRA settings go with the LoRA strategy only");
        }
    }

    public static Strategy full() {
        return new Strategy(Kind.FULL, 0, null);
    }

    public static Strategy headOnly() {
        return new Strategy(Kind.HEAD, 0, null);
    }

    public static Strategy topLayers(int k) {
        return new Strategy(Kind.TOP_LAYERS, k, null);
    }

    public static Strategy gradual() {
        return new Strategy(Kind.GRADUAL, 0, null);
    }

    public static Strategy lora(Lora lora) {
        return new Strategy(Kind.LORA, 0, lora);
    }

    public static Strategy encoderOnly() {
        return new Strategy(Kind.ENCODER_ONLY, 0, null);
    }

    public static Strategy decoderOnly() {
        return new Strategy(Kind.DECODER_ONLY, 0, null);
    }

    /** A strategy by its name: {@code full}, {@code head}, {@code top-<k>}, {@code gradual}, {@code lora-<rank>}. */
    public static Strategy parse(String name) {
        try {
            if (name.startsWith("top-")) {
                return topLayers(Integer.parseInt(name.substring(4)));
            }
            if (name.startsWith("lora-")) {
                int rank = Integer.parseInt(name.substring(5));
                return lora(Lora.of(rank, 2.0 * rank));
            }
        } catch (NumberFormatException e) {
            // Falls through to the message naming the accepted forms.
        }
        return switch (name) {
            case "full" -> full();
            case "head" -> headOnly();
            case "gradual" -> gradual();
            case "encoder-only" -> encoderOnly();
            case "decoder-only" -> decoderOnly();
            default -> throw new IllegalArgumentException("unknown strategy '" + name
                    + "' (full, head, top-<k>, gradual, lora-<rank>, encoder-only, decoder-only)");
        };
    }

    public String name() {
        return switch (kind) {
            case FULL -> "full";
            case HEAD -> "head";
            case TOP_LAYERS -> "top-" + topLayers;
            case GRADUAL -> "gradual";
            case LORA -> "lora-" + lora.rank();
            case ENCODER_ONLY -> "encoder-only";
            case DECODER_ONLY -> "decoder-only";
        };
    }

    /** Every parameter the run may update (for gradual unfreezing: by its last stage). */
    public Set<String> trainable(TransformerConfig config) {
        boolean stacks = kind == Kind.ENCODER_ONLY || kind == Kind.DECODER_ONLY;
        if (stacks != config.encoderDecoder() && kind != Kind.FULL && kind != Kind.LORA) {
            throw new IllegalArgumentException(stacks
                    ? name() + " fine-tuning needs an encoder-decoder"
                    : "an encoder-decoder has no separate head or layer ranks to train with '" + name()
                            + "': full, encoder-only, decoder-only or LoRA");
        }
        if (stacks) {
            String stack = kind == Kind.ENCODER_ONLY ? ParamSpec.T5_ENCODER : ParamSpec.T5_DECODER;
            Set<String> s = new LinkedHashSet<>();
            ParamSpec.forConfig(config).stream().filter(p -> p.name().startsWith(stack)).forEach(p -> s.add(p
                    .name()));
            return s;
        }
        return switch (kind) {
            case FULL, GRADUAL -> names(config, Integer.MAX_VALUE, true);
            case HEAD -> names(config, 0, false);
            case TOP_LAYERS -> names(config, topLayers, false);
            case LORA -> {
                Set<String> s = new LinkedHashSet<>();
                lora.params(config).forEach(p -> s.add(p.name()));
                s.addAll(names(config, 0, false));
                yield s;
            }
            case ENCODER_ONLY, DECODER_ONLY -> throw new IllegalStateException("handled above");
        };
    }

    /** What epoch {@code epoch} (1-based) updates, when it is less than {@link #trainable}; otherwise null. */
    public Set<String> activeIn(int epoch, TransformerConfig config) {
        if (kind != Kind.GRADUAL || epoch - 1 > config.layers()) {
            return null;
        }
        return names(config, epoch - 1, false);
    }

    /** The head, the top {@code layers} encoder layers and, if {@code embeddings}, the embeddings. */
    private static Set<String> names(TransformerConfig config, int layers, boolean embeddings) {
        Set<String> names = new LinkedHashSet<>();
        int first = Math.max(0, config.layers() - Math.min(layers, config.layers()));
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            // A decoder's final LayerNorm sits between the top layer and the head: it trains with the head.
            if (p.name().startsWith(ParamSpec.CLASSIFIER) || p.name().startsWith(ParamSpec.FINAL_LN) || embeddings) {
                names.add(p.name());
                continue;
            }
            // Shared layers (ALBERT) are one set of parameters: any of the layers unfrozen unfreezes them.
            boolean shared = layers > 0 && p.name().startsWith(ParamSpec.SHARED_LAYER);
            for (int layer = first; layer < config.layers() && !shared; layer++) {
                if (p.name().startsWith(ParamSpec.layer(layer))) {
                    names.add(p.name());
                }
            }
            if (shared) {
                names.add(p.name());
            }
        }
        return names;
    }
}
