package io.finetide.model.generate;

/** How the next token is chosen from the model's distribution. */
public enum Decoding {
    /** The most likely token each step. */
    GREEDY,
    /** The most likely continuations of a fixed width, scored by log-probability over length. */
    BEAM,
    /** A token drawn at random from the distribution after temperature, top-k and top-p. */
    SAMPLING
}
