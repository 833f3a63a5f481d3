package io.finetide.model.encoder;

/**
 * Shape of a BERT-family encoder with a sequence-classification head. Field names follow Hugging Face's
 * {@code config.json} where one exists, so imported configs map one to one.
 *
 * @param pooling how the last hidden states reach the head: "mean" (their masked mean) or "cls" (the first token's
 *            state) for a label per sequence; "token" for a label per token (BIO tagging)
 * @param embeddingSize ALBERT's factorised embeddings: embeddings of this size, projected to {@code hiddenSize}
 *            before the first layer; equal to {@code hiddenSize} (or 0, read as that) for BERT
 * @param shareLayers ALBERT's cross-layer sharing: every layer uses one set of parameters
 * @param architecture {@code encoder} (BERT: bidirectional, post-LayerNorm, erf GELU), {@code decoder} (GPT-2:
 *            causal, pre-LayerNorm with a final LayerNorm, tanh GELU, no segment embeddings) or
 *            {@code encoder-decoder} (T5: an encoder and a causal decoder with cross-attention, each of
 *            {@code layers} blocks, RMS LayerNorms before each block, relative position buckets instead of position
 *            embeddings, ReLU feed-forward, no biases, the LM head tied to the shared embeddings); null or blank reads
 *            as encoder
 * @param relativeBuckets T5's relative position buckets (32 when 0); encoder-decoder only
 * @param relativeMaxDistance T5's distance beyond which relative positions share the last bucket (128 when 0)
 * @param activation the feed-forward's non-linearity, Hugging Face's {@code hidden_act}: {@code gelu} (erf),
 *            {@code gelu_new} (tanh approximation) or {@code relu}; null or blank reads as the architecture's own
 *            (BERT gelu, GPT-2 gelu_new, T5 relu)
 */
public record EncoderConfig(int vocabSize, int maxPositions, int typeVocabSize, int hiddenSize, int layers, int heads,
        int intermediateSize, int numLabels, String pooling, double dropout, double layerNormEps, int embeddingSize,
        boolean shareLayers, String architecture, int relativeBuckets, int relativeMaxDistance, String activation) {

    public static final String GELU = "gelu";
    public static final String GELU_TANH = "gelu_new";
    public static final String RELU = "relu";

    public static final String ENCODER = "encoder";
    public static final String DECODER = "decoder";
    public static final String ENCODER_DECODER = "encoder-decoder";
    /** Decoder pooling: the last real token's state (GPT-2's sequence classification). */
    public static final String LAST = "last";
    /** Decoder head: next-token logits over the vocabulary, tied to the word embeddings. */
    public static final String LANGUAGE_MODEL = "lm";

    /** An encoder or GPT-style decoder (no relative positions). */
    public EncoderConfig(int vocabSize, int maxPositions, int typeVocabSize, int hiddenSize, int layers, int heads,
            int intermediateSize, int numLabels, String pooling, double dropout, double layerNormEps, int embeddingSize,
            boolean shareLayers, String architecture) {
        this(vocabSize, maxPositions, typeVocabSize, hiddenSize, layers, heads, intermediateSize, numLabels, pooling,
                dropout, layerNormEps, embeddingSize, shareLayers, architecture, 0, 0, null);
    }

    /** The same shape with another feed-forward non-linearity. */
    public EncoderConfig withActivation(String act) {
        return new EncoderConfig(vocabSize, maxPositions, typeVocabSize, hiddenSize, layers, heads, intermediateSize,
                numLabels, pooling, dropout, layerNormEps, embeddingSize, shareLayers, architecture, relativeBuckets,
                relativeMaxDistance, act);
    }

    /**
     * A T5-style encoder-decoder with the language-model head (Hugging Face's {@code T5ForConditionalGeneration},
     * version 1.0: ReLU feed-forward, tied embeddings).
     *
     * @param maxPositions the longest source or target it accepts (T5 itself has no position limit)
     */
    public static EncoderConfig encoderDecoder(int vocabSize, int maxPositions, int hiddenSize, int layers, int heads,
            int intermediateSize, double dropout, int relativeBuckets, int relativeMaxDistance, double layerNormEps) {
        return new EncoderConfig(vocabSize, maxPositions, 1, hiddenSize, layers, heads, intermediateSize, vocabSize,
                LANGUAGE_MODEL, dropout, layerNormEps, hiddenSize, false, ENCODER_DECODER, relativeBuckets,
                relativeMaxDistance, null);
    }

    /** An encoder with ALBERT's options. */
    public EncoderConfig(int vocabSize, int maxPositions, int typeVocabSize, int hiddenSize, int layers, int heads,
            int intermediateSize, int numLabels, String pooling, double dropout, double layerNormEps, int embeddingSize,
            boolean shareLayers) {
        this(vocabSize, maxPositions, typeVocabSize, hiddenSize, layers, heads, intermediateSize, numLabels, pooling,
                dropout, layerNormEps, embeddingSize, shareLayers, ENCODER);
    }

    /** A GPT-2-style decoder: pooling {@link #LAST} (a label per sequence) or {@link #LANGUAGE_MODEL}. */
    public static EncoderConfig decoder(int vocabSize, int maxPositions, int hiddenSize, int layers, int heads,
            int intermediateSize, int numLabels, String pooling, double dropout) {
        return new EncoderConfig(vocabSize, maxPositions, 1, hiddenSize, layers, heads, intermediateSize, pooling
                .equals(LANGUAGE_MODEL) ? vocabSize : numLabels, pooling, dropout, 1e-5, hiddenSize, false, DECODER);
    }

    /** A BERT-style configuration: embeddings of the hidden size, a set of parameters per layer. */
    public EncoderConfig(int vocabSize, int maxPositions, int typeVocabSize, int hiddenSize, int layers, int heads,
            int intermediateSize, int numLabels, String pooling, double dropout, double layerNormEps) {
        this(vocabSize, maxPositions, typeVocabSize, hiddenSize, layers, heads, intermediateSize, numLabels, pooling,
                dropout, layerNormEps, hiddenSize, false, ENCODER);
    }

    public EncoderConfig {
        if (embeddingSize == 0) {
            // Bundles written before ALBERT configurations existed have no embedding size.
            embeddingSize = hiddenSize;
        }
        if (embeddingSize < 1) {
            throw new IllegalArgumentException("embedding size must be positive, got " + embeddingSize);
        }
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException(
                    "hidden size " + hiddenSize + " is not divisible by " + heads + " heads");
        }
        if (numLabels < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 labels, got " + numLabels);
        }
        if (architecture == null || architecture.isBlank()) {
            architecture = ENCODER;
        }
        if (architecture.equals(ENCODER)) {
            if (!pooling.equals("mean") && !pooling.equals("cls") && !pooling.equals(TOKEN)) {
                throw new IllegalArgumentException("pooling must be 'mean', 'cls' or 'token', got " + pooling);
            }
        } else if (architecture.equals(DECODER)) {
            if (!pooling.equals(LAST) && !pooling.equals(LANGUAGE_MODEL) && !pooling.equals(TOKEN)) {
                throw new IllegalArgumentException("a decoder's pooling must be 'last', 'lm' or 'token', got "
                        + pooling);
            }
            if (pooling.equals(LANGUAGE_MODEL) && numLabels != vocabSize) {
                throw new IllegalArgumentException("a language-model head has one output per vocabulary entry");
            }
            if (embeddingSize != hiddenSize || shareLayers) {
                throw new IllegalArgumentException("factorised embeddings and shared layers are encoder options");
            }
        } else if (architecture.equals(ENCODER_DECODER)) {
            if (!pooling.equals(LANGUAGE_MODEL) || numLabels != vocabSize) {
                throw new IllegalArgumentException("an encoder-decoder has the language-model head ('lm'), got "
                        + pooling);
            }
            if (embeddingSize != hiddenSize || shareLayers) {
                throw new IllegalArgumentException("factorised embeddings and shared layers are encoder options");
            }
            relativeBuckets = relativeBuckets == 0 ? 32 : relativeBuckets;
            relativeMaxDistance = relativeMaxDistance == 0 ? 128 : relativeMaxDistance;
            if (relativeBuckets < 4 || relativeMaxDistance <= relativeBuckets / 4) {
                throw new IllegalArgumentException("relative positions need at least 4 buckets and a maximum distance"
                        + " above a quarter of them, got " + relativeBuckets + " and " + relativeMaxDistance);
            }
        } else {
            throw new IllegalArgumentException("architecture must be 'encoder', 'decoder' or 'encoder-decoder', got "
                    + architecture);
        }
        if (activation == null || activation.isBlank()) {
            // Bundles written before the field existed: each architecture's own.
            activation = architecture.equals(ENCODER) ? GELU : architecture.equals(DECODER) ? GELU_TANH : RELU;
        }
        if (!activation.equals(GELU) && !activation.equals(GELU_TANH) && !activation.equals(RELU)) {
            throw new IllegalArgumentException("activation must be 'gelu', 'gelu_new' or 'relu', got " + activation);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    /** The pooling of a token-classification model: the head labels every token. */
    public static final String TOKEN = "token";

    /** A label per position: token classification, or a language model's next token. */
    public boolean tokenClassification() {
        return pooling.equals(TOKEN) || pooling.equals(LANGUAGE_MODEL);
    }

    /** GPT-style decoder-only. */
    public boolean decoder() {
        return architecture.equals(DECODER);
    }

    /** T5-style: an encoder, and a decoder attending to it. */
    public boolean encoderDecoder() {
        return architecture.equals(ENCODER_DECODER);
    }

    /** A language model: the head is the transposed word embedding matrix (no classifier parameters). */
    public boolean languageModel() {
        return pooling.equals(LANGUAGE_MODEL);
    }

    public int headSize() {
        return hiddenSize / heads;
    }

    /** Whether the embeddings are projected to the hidden size (ALBERT with a smaller embedding size). */
    public boolean factorisedEmbeddings() {
        return embeddingSize != hiddenSize;
    }

    public long parameterCount() {
        long h = hiddenSize;
        long e = embeddingSize;
        if (encoderDecoder()) {
            return ParamSpec.forConfig(this).stream().mapToLong(ParamSpec::size).sum();
        }
        if (decoder()) {
            long layer = 4 * (h * h + h) + 2 * (h * intermediateSize) + intermediateSize + h + 4 * h;
            long head = languageModel() ? 0 : h * numLabels + numLabels;
            return (long) vocabSize * h + (long) maxPositions * h + layers * layer + 2 * h + head;
        }
        long emb = (long) vocabSize * e + (long) maxPositions * e + (long) typeVocabSize * e + 2 * e;
        long projection = factorisedEmbeddings() ? e * h + h : 0;
        long layer = 4 * (h * h + h) + 2 * (h * intermediateSize) + intermediateSize + h + 4 * h;
        return emb + projection + (shareLayers ? 1 : layers) * layer + h * numLabels + numLabels;
    }
}
