package io.finetide.model.transformer;

/** What the model predicts from its last hidden states. */
public enum Head {
    /** A label per sequence, from the states the {@link Pooling} chooses. */
    SEQUENCE,
    /** A label per token (BIO tagging): a classifier on every position. */
    TOKEN,
    /** The next token over the vocabulary at every position, tied to the word (or shared) embeddings: no parameters. */
    LANGUAGE_MODEL;

    /** Whether the head answers at every position rather than once per sequence. */
    public boolean perPosition() {
        return this != SEQUENCE;
    }
}
