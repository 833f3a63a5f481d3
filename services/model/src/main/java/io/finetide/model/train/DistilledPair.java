package io.finetide.model.train;

/**
 * A pair of texts a student learns from its teacher: the teacher's class probabilities for the pair, and its label where
 * it has one ({@link DistilledText#UNLABELLED} for none).
 */
public record DistilledPair(String first, String second, int label, float[] teacherProbabilities) {

    public DistilledPair {
        if (label < DistilledText.UNLABELLED) {
            throw new IllegalArgumentException("a label is an index, or " + DistilledText.UNLABELLED
                    + " for none; got " + label);
        }
    }
}
