package io.finetide.model.transformer;

/**
 * The shape of a Transformer and of its head. Sizes follow Hugging Face's {@code config.json} where one exists, so
 * imported configurations map one to one. Built with {@link #encoderBuilder()}, {@link #decoderBuilder()} or
 * {@link #encoderDecoderBuilder()}, each starting from that architecture's defaults.
 *
 * @param head          what the model predicts: a label per sequence, per token, or the next token
 * @param pooling       how a {@link Head#SEQUENCE} head reads the hidden states (unused by the other heads)
 * @param numLabels     the head's outputs; the vocabulary size for a language model
 * @param embeddingSize ALBERT's factorised embeddings: embeddings of this size, projected to {@code hiddenSize} before
 *                      the first layer; equal to {@code hiddenSize} (or 0, read as that) otherwise
 * @param shareLayers   ALBERT's cross-layer sharing: every layer uses one set of parameters
 * @param relativeBuckets     T5's relative position buckets (32 when 0); encoder-decoder only
 * @param relativeMaxDistance T5's distance beyond which relative positions share the last bucket (128 when 0)
 * @param activation    the feed-forward's non-linearity; null reads as the architecture's own
 */
public record TransformerConfig(Architecture architecture, int vocabSize, int maxPositions, int typeVocabSize,
        int hiddenSize, int layers, int heads, int intermediateSize, int numLabels, Head head, Pooling pooling,
        Activation activation, double dropout, double layerNormEps, int embeddingSize, boolean shareLayers,
        int relativeBuckets, int relativeMaxDistance) {

    public TransformerConfig {
        if (architecture == null || head == null || pooling == null) {
            throw new IllegalArgumentException("architecture, head and pooling are needed");
        }
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
        if (head == Head.LANGUAGE_MODEL && numLabels != vocabSize) {
            throw new IllegalArgumentException("a language-model head has one output per vocabulary entry");
        }
        switch (architecture) {
            case ENCODER -> {
                if (head == Head.LANGUAGE_MODEL || pooling == Pooling.LAST) {
                    throw new IllegalArgumentException("an encoder pools by mean or [CLS] and has a sequence or "
                            + "token head, got " + head + " with " + pooling);
                }
            }
            case DECODER -> {
                if (head == Head.SEQUENCE && pooling != Pooling.LAST) {
                    throw new IllegalArgumentException("a decoder's sequence head reads the last token, got "
                            + pooling);
                }
                requireNoAlbertOptions(embeddingSize, hiddenSize, shareLayers);
            }
            case ENCODER_DECODER -> {
                if (head != Head.LANGUAGE_MODEL) {
                    throw new IllegalArgumentException("an encoder-decoder has the language-model head, got " + head);
                }
                requireNoAlbertOptions(embeddingSize, hiddenSize, shareLayers);
                relativeBuckets = relativeBuckets == 0 ? 32 : relativeBuckets;
                relativeMaxDistance = relativeMaxDistance == 0 ? 128 : relativeMaxDistance;
                if (relativeBuckets < 4 || relativeMaxDistance <= relativeBuckets / 4) {
                    throw new IllegalArgumentException("relative positions need at least 4 buckets and a maximum "
                            + "distance above a quarter of them, got " + relativeBuckets + " and "
                            + relativeMaxDistance);
                }
            }
        }
        if (activation == null) {
            // Bundles written before the field existed: each architecture's own.
            activation = architecture.defaultActivation();
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    private static void requireNoAlbertOptions(int embeddingSize, int hiddenSize, boolean shareLayers) {
        if (embeddingSize != hiddenSize || shareLayers) {
            throw new IllegalArgumentException("factorised embeddings and shared layers are encoder options");
        }
    }

    /** A BERT-style encoder: 2 segment types, mean pooling, a sequence head, LayerNorm epsilon 1e-12, GELU. */
    public static Builder encoderBuilder() {
        return new Builder(Architecture.ENCODER).typeVocabSize(2).layerNormEps(1e-12).pooling(Pooling.MEAN);
    }

    /** A GPT-2-style decoder: last-token pooling, LayerNorm epsilon 1e-5, tanh GELU, no segment types. */
    public static Builder decoderBuilder() {
        return new Builder(Architecture.DECODER).typeVocabSize(1).layerNormEps(1e-5).pooling(Pooling.LAST);
    }

    /**
     * A T5-style encoder-decoder with the language-model head (Hugging Face's {@code T5ForConditionalGeneration},
     * version 1.0: ReLU feed-forward, tied embeddings). Its {@code maxPositions} is the longest source or target it
     * accepts (T5 itself has no position limit).
     */
    public static Builder encoderDecoderBuilder() {
        return new Builder(Architecture.ENCODER_DECODER).typeVocabSize(1).head(Head.LANGUAGE_MODEL).pooling(
                Pooling.MEAN);
    }

    public Builder toBuilder() {
        return new Builder(architecture).vocabSize(vocabSize).maxPositions(maxPositions).typeVocabSize(typeVocabSize)
                .hiddenSize(hiddenSize).layers(layers).heads(heads).intermediateSize(intermediateSize).labels(
                        numLabels)
                .head(head).pooling(pooling).activation(activation).dropout(dropout).layerNormEps(
                        layerNormEps)
                .embeddingSize(embeddingSize).shareLayers(shareLayers).relativeBuckets(
                        relativeBuckets)
                .relativeMaxDistance(relativeMaxDistance);
    }

    /** A label per position: token classification, or a language model's next token. */
    public boolean perPosition() {
        return head.perPosition();
    }

    /** BIO tagging: a classifier on every token. */
    public boolean tokenClassification() {
        return head == Head.TOKEN;
    }

    /** GPT-style decoder-only. */
    public boolean decoder() {
        return architecture == Architecture.DECODER;
    }

    /** T5-style: an encoder, and a decoder attending to it. */
    public boolean encoderDecoder() {
        return architecture == Architecture.ENCODER_DECODER;
    }

    /** A language model: the head is the transposed word embedding matrix (no classifier parameters). */
    public boolean languageModel() {
        return head == Head.LANGUAGE_MODEL;
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

    /** Named settings instead of a long positional list; {@link #build()} validates. */
    public static final class Builder {
        private final Architecture architecture;
        private int vocabSize;
        private int maxPositions;
        private int typeVocabSize;
        private int hiddenSize;
        private int layers;
        private int heads;
        private int intermediateSize;
        private int numLabels = 2;
        private Head head = Head.SEQUENCE;
        private Pooling pooling;
        private Activation activation;
        private double dropout = 0.1;
        private double layerNormEps = 1e-6;
        private int embeddingSize;
        private boolean shareLayers;
        private int relativeBuckets;
        private int relativeMaxDistance;

        private Builder(Architecture architecture) {
            this.architecture = architecture;
        }

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder maxPositions(int v) {
            maxPositions = v;
            return this;
        }

        public Builder typeVocabSize(int v) {
            typeVocabSize = v;
            return this;
        }

        public Builder hiddenSize(int v) {
            hiddenSize = v;
            return this;
        }

        public Builder layers(int v) {
            layers = v;
            return this;
        }

        public Builder heads(int v) {
            heads = v;
            return this;
        }

        public Builder intermediateSize(int v) {
            intermediateSize = v;
            return this;
        }

        /** The head's outputs (ignored by a language-model head, which has one per vocabulary entry). */
        public Builder labels(int v) {
            numLabels = v;
            return this;
        }

        /** The task's head: what it predicts, its pooling and its labels. */
        public Builder head(HeadSpec v) {
            return head(v.head()).pooling(v.pooling()).labels(v.labels());
        }

        public Builder head(Head v) {
            head = v;
            return this;
        }

        public Builder pooling(Pooling v) {
            pooling = v;
            return this;
        }

        public Builder activation(Activation v) {
            activation = v;
            return this;
        }

        public Builder dropout(double v) {
            dropout = v;
            return this;
        }

        public Builder layerNormEps(double v) {
            layerNormEps = v;
            return this;
        }

        /** ALBERT's factorised embeddings (0: the hidden size). */
        public Builder embeddingSize(int v) {
            embeddingSize = v;
            return this;
        }

        /** ALBERT's cross-layer sharing. */
        public Builder shareLayers(boolean v) {
            shareLayers = v;
            return this;
        }

        public Builder relativeBuckets(int v) {
            relativeBuckets = v;
            return this;
        }

        public Builder relativeMaxDistance(int v) {
            relativeMaxDistance = v;
            return this;
        }

        public TransformerConfig build() {
            return new TransformerConfig(architecture, vocabSize, maxPositions, typeVocabSize, hiddenSize, layers,
                    heads, intermediateSize, head == Head.LANGUAGE_MODEL ? vocabSize : numLabels, head, pooling,
                    activation, dropout, layerNormEps, embeddingSize, shareLayers, relativeBuckets,
                    relativeMaxDistance);
        }
    }
}
