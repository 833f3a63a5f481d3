package io.finetide.model.train;

import java.util.List;

/**
 * A sentence of pre-split words a student tagger learns from its teacher: the teacher's tag probabilities for each word
 * (null for a word it has none for), and the words' tags where the sentence is labelled (null
 * for an unlabelled one).
 */
public record DistilledWords(List<String> words, int[] tags, float[][] teacherProbabilities) {

    public DistilledWords {
        words = List.copyOf(words);
        if (teacherProbabilities.length != words.size() || (tags != null && tags.length != words.size())) {
            throw new IllegalArgumentException(words.size() + " words, " + teacherProbabilities.length
                    + " teacher's distributions" + (tags == null ? "" : ", " + tags.length + " tags"));
        }
    }
}
