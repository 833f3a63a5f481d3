package io.finetide.model.generate;

/** The caller's own end of a generation, asked after each token with the tokens generated so far. */
@FunctionalInterface
public interface StopRule {

    StopRule NEVER = generated -> false;

    boolean reached(int[] generated);
}
