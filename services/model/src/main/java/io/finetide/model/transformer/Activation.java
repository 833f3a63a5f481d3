package io.finetide.model.transformer;

import java.util.Arrays;

/** The feed-forward's non-linearity, named as Hugging Face's {@code hidden_act} names it. */
public enum Activation {
    /** GELU with the exact error function (BERT). */
    GELU("gelu"),
    /** GELU's tanh approximation (GPT-2, ALBERT). */
    GELU_TANH("gelu_new"),
    /** T5 1.0. */
    RELU("relu");

    private final String hiddenAct;

    Activation(String hiddenAct) {
        this.hiddenAct = hiddenAct;
    }

    /** Hugging Face's {@code hidden_act}, also the name model bundles store. */
    public String hiddenAct() {
        return hiddenAct;
    }

    public static Activation parse(String name) {
        return Arrays.stream(values()).filter(a -> a.hiddenAct.equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("activation must be 'gelu', 'gelu_new' or 'relu', got " + name));
    }
}
