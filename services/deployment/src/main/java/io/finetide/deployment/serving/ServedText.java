package io.finetide.deployment.serving;

import java.util.ArrayList;
import java.util.List;

/**
 * What a served classifier is asked about: one text, or the two texts of a pair for a model trained on pairs.
 *
 * @param textPair the pair's second text; empty for a single text
 */
public record ServedText(String text, String textPair) {

    public ServedText {
        textPair = textPair == null ? "" : textPair;
    }

    public boolean paired() {
        return !textPair.isEmpty();
    }

    public static List<ServedText> singles(List<String> texts) {
        return texts.stream().map(t -> new ServedText(t, "")).toList();
    }

    /** {@code texts.get(i)} with {@code textPairs.get(i)}; the lists have one size. */
    public static List<ServedText> pairs(List<String> texts, List<String> textPairs) {
        if (texts.size() != textPairs.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + textPairs.size() + " second texts");
        }
        List<ServedText> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(new ServedText(texts.get(i), textPairs.get(i)));
        }
        return out;
    }
}
