package io.finetide.model.generate;

/**
 * The new tokens of one generation (without the end-of-text token), why it ended, and the model's log-probability of
 * them (including the end-of-text token when it ended there) before temperature, top-k or top-p.
 */
public record Generation(int[] tokens, Finish finish, double logProbability) {
}
