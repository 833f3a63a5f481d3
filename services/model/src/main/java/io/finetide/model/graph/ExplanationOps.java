package io.finetide.model.graph;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * An explaining graph's ops: which output probability to differentiate (a [rows, labels] mask of 0 and 1), its value
 * per row, and its gradient with respect to the word embeddings the stack starts from. A session may feed any tensor,
 * so an explanation feeds its own embeddings in place of the lookup's.
 */
record ExplanationOps(Operand<TFloat32> wordEmbeddings, Placeholder<TFloat32> target, Operand<TFloat32> value,
        Output<?> gradient) {

    /** The ops when the options ask for explanations, null otherwise. */
    static ExplanationOps of(Graph graph, Ops tf, GraphOptions options, Operand<TFloat32> probabilities,
            Operand<TFloat32> wordEmbeddings) {
        if (!options.explaining()) {
            return null;
        }
        if (options.training() || wordEmbeddings == null) {
            throw new IllegalArgumentException("explanations need an inference graph of a self-attention model");
        }
        Placeholder<TFloat32> target = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
        Operand<TFloat32> value = tf.sum(tf.math.mul(probabilities, target), tf.constant(1));
        // Rows are independent (no operation mixes examples), so the gradient of the sum holds each row's own.
        Output<?> gradient = graph.addGradients(tf.sum(value, tf.constant(0)).asOutput(), new Output<?>[]{
                wordEmbeddings.asOutput()})[0];
        return new ExplanationOps(wordEmbeddings, target, value, gradient);
    }

    /**
     * @param runner     with the batch's inputs fed
     * @param embeddings flat [batch, length, embedding], for every position including padding
     * @param target     flat [rows, labels]: 1 at each output row's chosen label (rows are the batch for a sequence
     *                   head, batch times length for a token head)
     */
    EmbeddingGradients run(Session.Runner runner, Batch batch, int embeddingSize, int rows, int labels,
            float[] embeddings, float[] target) {
        try (TFloat32 fed = TFloat32.tensorOf(Shape.of(batch.size(), batch.length(), embeddingSize), DataBuffers.of(
                embeddings, true, false));
                TFloat32 chosen = TFloat32.tensorOf(Shape.of(rows, labels), DataBuffers.of(target, true, false));
                Result r = runner.feed(wordEmbeddings, fed).feed(this.target, chosen).fetch(value).fetch(gradient)
                        .run()) {
            float[] values = new float[rows];
            ((TFloat32) r.get(0)).copyTo(DataBuffers.of(values, false, false));
            float[] gradients = new float[embeddings.length];
            ((TFloat32) r.get(1)).copyTo(DataBuffers.of(gradients, false, false));
            return new EmbeddingGradients(values, gradients);
        }
    }
}
