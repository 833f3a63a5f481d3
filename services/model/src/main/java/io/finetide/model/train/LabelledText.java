package io.finetide.model.train;

/** A text with the index of its label in the task's label list. */
public record LabelledText(String text, int label) {
}
