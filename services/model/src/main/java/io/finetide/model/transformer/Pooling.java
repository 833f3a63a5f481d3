package io.finetide.model.transformer;

import java.util.Arrays;

/** How a sequence head reads one vector off the last hidden states. */
public enum Pooling {
    /** The masked mean of every real token's state (sentence-transformers' MiniLM). */
    MEAN("mean"),
    /** The first token's state (BERT's [CLS], BGE). */
    CLS("cls"),
    /** The last real token's state: under a decoder's causal mask the only one that has seen the whole text. */
    LAST("last");

    private final String wireName;

    Pooling(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case name tasks, uploads and model bundles use. */
    public String wireName() {
        return wireName;
    }

    public static Pooling parse(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("pooling must be 'mean', 'cls' or 'last', got " + name));
    }
}
