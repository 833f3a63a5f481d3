package io.finetide.model.generate;

/** Why a generation ended. */
public enum Finish {
    /** The model emitted its end-of-text token (not part of the output). */
    END_OF_TEXT,
    /** A stop rule of the caller matched (for example a stop sequence). */
    STOP,
    /** The maximum of new tokens, or the model's positions, ran out. */
    LENGTH
}
