package io.finetide.platform.tasks;

import java.util.Map;
import java.util.Set;

import io.finetide.proto.v1.ModelSpec;

/**
 * The base models and tokenizers a task may name: those that ship with the platform (the model library's
 * {@code PretrainedEncoders.BUILTIN} and {@code Tokenizer.BUILTIN}; a test in the training service ties the two
 * lists), a random start, and bases users uploaded.
 */
public final class BaseCatalogue {

    public static final String ARCHITECTURE_ENCODER = "transformer-encoder";
    /** A GPT-2 decoder a user uploaded, trained as a classifier of whole texts (a last-token head). */
    public static final String ARCHITECTURE_DECODER = "transformer-decoder";
    /** A T5 encoder-decoder a user uploaded, trained text to text: it writes a text's label as words. */
    public static final String ARCHITECTURE_ENCODER_DECODER = "transformer-encoder-decoder";
    /** Tokenizers whose files ship with the platform (see the model library's Tokenizer). */
    public static final Set<String> TOKENIZERS = Set.of("minilm-l6", "bge-small");
    public static final String BASE_RANDOM = "random";
    /**
     * Pretrained bases that ship with the platform (see the model library's PretrainedEncoders), with the shape and
     * tokenizer they fix; {@code maxSeqLen} is a base's positions.
     */
    public static final Map<String, ModelSpec> PRETRAINED = Map.of("minilm-l6", ModelSpec.newBuilder()
            .setTokenizer("minilm-l6").setLayers(6).setHiddenSize(384).setHeads(12).setFfnSize(1536).setMaxSeqLen(512)
            .build(), "bge-small",
            ModelSpec.newBuilder().setTokenizer("bge-small").setLayers(12).setHiddenSize(384)
                    .setHeads(12).setFfnSize(1536).setMaxSeqLen(512).build());
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

    private BaseCatalogue() {
    }
}
