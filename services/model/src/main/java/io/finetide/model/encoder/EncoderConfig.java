package io.finetide.model.encoder;

/**
 * Shape of a BERT-family encoder with a sequence-classification head. Field names follow Hugging Face's
 * {@code config.json} where one exists, so imported configs map one to one.
 *
 * @param pooling how the last hidden states reach the head: "mean" (their masked mean) or "cls" (the first token's
 *            state) for a label per sequence; "token" for a label per token (BIO tagging)
 */
public record EncoderConfig(int vocabSize, int maxPositions, int typeVocabSize, int hiddenSize, int layers, int heads,
        int intermediateSize, int numLabels, String pooling, double dropout, double layerNormEps) {

    public EncoderConfig {
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

    public long parameterCount() {
        long h = hiddenSize;
        long emb = (long) vocabSize * h + (long) maxPositions * h + (long) typeVocabSize * h + 2 * h;
        long layer = 4 * (h * h + h) + 2 * (h * intermediateSize) + intermediateSize + h + 4 * h;
        return emb + layers * layer + h * numLabels + numLabels;
    }
}
