package io.finetide.model.graph;

/**
 * Per output row, the chosen probability; and its gradient with respect to the fed word embeddings, flat in [batch,
 * time, embedding] order.
 */
public record EmbeddingGradients(float[] values, float[] gradients) {
}
