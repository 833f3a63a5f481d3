package io.finetide.model.train;

import java.util.ArrayList;
import java.util.List;

/** Pre-split words with the index of each word's tag in the model's tag list (BIO tagging). */
public record TaggedWords(List<String> words, int[] tags) {

    public TaggedWords {
        if (words.size() != tags.length) {
            throw new IllegalArgumentException(words.size() + " words but " + tags.length + " tags");
        }
        words = List.copyOf(words);
    }

    public List<String> tagNames(List<String> tagList) {
        List<String> out = new ArrayList<>();
        for (int t : tags) {
            out.add(tagList.get(t));
        }
        return out;
    }
}
