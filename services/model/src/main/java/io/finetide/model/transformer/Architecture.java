package io.finetide.model.transformer;

import java.util.Arrays;

/** The shape of the stack: which blocks there are and what they attend to. */
public enum Architecture {
    /** BERT (and ALBERT): bidirectional self-attention, post-LayerNorm, erf GELU, segment embeddings. */
    ENCODER("encoder"),
    /** GPT-2: causal self-attention, pre-LayerNorm with a final LayerNorm, tanh GELU, no segment embeddings. */
    DECODER("decoder"),
    /**
     * T5: an encoder and a causal decoder with cross-attention, RMS LayerNorms before each block, relative position
     * buckets instead of position embeddings, ReLU feed-forward, no biases, the language-model head tied to the shared
     * embeddings.
     */
    ENCODER_DECODER("encoder-decoder");

    private final String wireName;

    Architecture(String wireName) {
        this.wireName = wireName;
    }

    /** The name model bundles store (and a blank one reads as {@link #ENCODER}). */
    public String wireName() {
        return wireName;
    }

    /** The feed-forward non-linearity this architecture is published with. */
    public Activation defaultActivation() {
        return switch (this) {
            case ENCODER -> Activation.GELU;
            case DECODER -> Activation.GELU_TANH;
            case ENCODER_DECODER -> Activation.RELU;
        };
    }

    public static Architecture parse(String name) {
        if (name == null || name.isBlank()) {
            // Bundles written before decoders existed have no architecture.
            return ENCODER;
        }
        return Arrays.stream(values()).filter(a -> a.wireName.equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("architecture must be 'encoder', 'decoder' or "
                        + "'encoder-decoder', got " + name));
    }
}
