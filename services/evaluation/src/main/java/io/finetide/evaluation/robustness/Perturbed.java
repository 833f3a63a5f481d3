package io.finetide.evaluation.robustness;

import java.util.List;

/**
 * A perturbed example: its words (a classifier reads {@link #text()}), one tag per word for a tagging task, and for
 * each word the position of the original word it stands for ({@code -1}: a word the perturbation added), so that a
 * tagger's predictions can be compared word by word.
 *
 * @param separator what joins the words into the text (the whitespace perturbation doubles it)
 */
public record Perturbed(List<String> words, List<String> tags, int[] origin, String separator) {

    public Perturbed {
        words = List.copyOf(words);
        tags = List.copyOf(tags);
        if (!tags.isEmpty() && tags.size() != words.size()) {
            throw new IllegalArgumentException(words.size() + " words but " + tags.size() + " tags");
        }
        if (origin.length != words.size()) {
            throw new IllegalArgumentException(words.size() + " words but " + origin.length + " origins");
        }
    }

    public String text() {
        return String.join(separator, words);
    }
}
