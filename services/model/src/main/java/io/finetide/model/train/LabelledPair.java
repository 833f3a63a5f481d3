package io.finetide.model.train;

/** A pair of texts (premise and hypothesis, question and passage, two product titles) with its label's index. */
public record LabelledPair(String first, String second, int label) {
}
