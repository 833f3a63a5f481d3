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
 */
public record EncoderConfig(int vocabSize, int maxPositions, int typeVocabSize, int hiddenSize, int layers, int heads,
        int intermediateSize, int numLabels, String pooling, double dropout, double layerNormEps, int embeddingSize,
        boolean shareLayers) {

    /** A BERT-style configuration: embeddings of the hidden size, a set of parameters per layer. */
    public EncoderConfig(int vocabSize, int maxPositions, int typeVocabSize, int hiddenSize, int layers, int heads,
            int intermediateSize, int numLabels, String pooling, double dropout, double layerNormEps) {
        this(vocabSize, maxPositions, typeVocabSize, hiddenSize, layers, heads, intermediateSize, numLabels, pooling,
                dropout, layerNormEps, hiddenSize, false);
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
        if (!pooling.equals("mean") && !pooling.equals("cls") && !pooling.equals(TOKEN)) {
            throw new IllegalArgumentException("pooling must be 'mean', 'cls' or 'token', got " + pooling);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    /** The pooling of a token-classification model: the head labels every token. */
    public static final String TOKEN = "token";

    public boolean tokenClassification() {
        return pooling.equals(TOKEN);
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
        long emb = (long) vocabSize * e + (long) maxPositions * e + (long) typeVocabSize * e + 2 * e;
        long projection = factorisedEmbeddings() ? e * h + h : 0;
        long layer = 4 * (h * h + h) + 2 * (h * intermediateSize) + intermediateSize + h + 4 * h;
        return emb + projection + (shareLayers ? 1 : layers) * layer + h * numLabels + numLabels;
    }
}
