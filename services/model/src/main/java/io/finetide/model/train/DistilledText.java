package io.finetide.model.train;

/**
 * A text a student learns from its teacher: the teacher's class probabilities for it, and its own label where it has
 * one (an unlabelled text, -1, is learned from the teacher alone).
 */
public record DistilledText(String text, int label, float[] teacherProbabilities) {

    public static final int UNLABELLED = -1;

    public DistilledText {
        if (label < UNLABELLED) {
            throw new IllegalArgumentException("a label is an index, or " + UNLABELLED + " for none; got " + label);
        }
    }
}
