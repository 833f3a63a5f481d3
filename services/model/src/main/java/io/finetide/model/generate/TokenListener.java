package io.finetide.model.generate;

/**
 * Told each token as soon as it is final: at once for greedy decoding and sampling (what a stream sends), at the end
 * for beam search, whose best continuation is known only then. The end-of-text token is not told.
 */
@FunctionalInterface
public interface TokenListener {

    TokenListener NONE = token -> {
    };

    void token(int token);
}
