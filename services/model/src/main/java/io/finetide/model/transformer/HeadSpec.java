package io.finetide.model.transformer;

/**
 * The head a task puts on a base model: what it predicts, how a sequence head pools, and how many labels.
 *
 * @param pooling how a {@link Head#SEQUENCE} head reads the hidden states (kept, unused, by a token head)
 */
public record HeadSpec(Head head, Pooling pooling, int labels) {

    public HeadSpec {
        if (head == null || pooling == null) {
            throw new IllegalArgumentException("a head and a pooling are needed");
        }
    }

    /** A label per sequence. */
    public static HeadSpec sequence(int labels, Pooling pooling) {
        return new HeadSpec(Head.SEQUENCE, pooling, labels);
    }

    /** Next-token logits from the tied word embeddings: a decoder that writes text. */
    public static HeadSpec languageModel() {
        return new HeadSpec(Head.LANGUAGE_MODEL, Pooling.LAST, 0);
    }

    /** A label per token (BIO tags). */
    public static HeadSpec tokens(int labels) {
        return new HeadSpec(Head.TOKEN, Pooling.MEAN, labels);
    }
}
