package io.finetide.model.explain;

import java.util.Arrays;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.EmbeddingGradients;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.transformer.Weights;

/**
 * Integrated gradients (Sundararajan et al., 2017) over the word embeddings: the path from a baseline (every token but
 * the special ones replaced by padding) to the input is cut into {@code steps} equal parts, the gradient of the chosen
 * probability is taken at each part's midpoint, and a token's attribution is its embedding's difference from the
 * baseline's times the mean gradient, summed over the embedding. The attributions add up to the probability's change
 * from baseline to input up to the path's discretisation: the completeness gap says how far.
 */
public final class IntegratedGradients {

    /**
     * @param attributions    per token of {@code ids}
     * @param probability     the chosen probability on the input
     * @param baseline        the same on the baseline
     * @param completenessGap |sum of attributions - (probability - baseline)|
     */
    public record Result(double[] attributions, double probability, double baseline, double completenessGap,
            int steps) {
    }

    private IntegratedGradients() {
    }

    /**
     * @param ids        the input's token ids (special tokens included), at most the model's length
     * @param special    per token, whether it is a special token (kept in the baseline)
     * @param position   the token whose label is explained (a token head), or -1 for a sequence head
     * @param label      the label whose probability is explained
     * @param embeddings the word-embedding matrix ([vocabulary, embedding])
     */
    public static Result explain(TransformerGraph graph, Weights.Tensor embeddings, int padId, int maxLength,
            int[] ids, boolean[] special, int position, int label, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1");
        }
        int n = ids.length;
        int e = embeddings.shape()[1];
        int[] baselineIds = new int[n];
        for (int t = 0; t < n; t++) {
            baselineIds[t] = special[t] ? ids[t] : padId;
        }
        // Row 0 the baseline, row 1 the input, rows 2.. the midpoints of the path's parts.
        int rows = steps + 2;
        int[][] sequences = new int[rows][];
        Arrays.fill(sequences, ids);
        Batch batch = Batch.of(sequences, padId, Batch.PAD_MULTIPLE, maxLength);
        int length = batch.length();
        float[] fed = new float[rows * length * e];
        for (int r = 0; r < rows; r++) {
            double alpha = r == 0 ? 0 : r == 1 ? 1 : (r - 2 + 0.5) / steps;
            for (int t = 0; t < length; t++) {
                int to = t < n ? ids[t] : padId;
                int from = t < n ? baselineIds[t] : padId;
                for (int k = 0; k < e; k++) {
                    float x0 = embeddings.values()[from * e + k];
                    float x = embeddings.values()[to * e + k];
                    fed[(r * length + t) * e + k] = (float) (x0 + alpha * (x - x0));
                }
            }
        }
        int labels = graph.config().numLabels();
        boolean tokens = graph.config().perPosition();
        int outputRows = tokens ? rows * length : rows;
        float[] target = new float[outputRows * labels];
        for (int r = 0; r < rows; r++) {
            int row = tokens ? r * length + position : r;
            target[row * labels + label] = 1;
        }
        EmbeddingGradients g = graph.embeddingGradients(batch, fed, target);
        double[] attributions = new double[n];
        for (int t = 0; t < n; t++) {
            double sum = 0;
            for (int k = 0; k < e; k++) {
                double mean = 0;
                for (int r = 2; r < rows; r++) {
                    mean += g.gradients()[(r * length + t) * e + k];
                }
                mean /= steps;
                double x0 = embeddings.values()[baselineIds[t] * e + k];
                double x = embeddings.values()[ids[t] * e + k];
                sum += (x - x0) * mean;
            }
            attributions[t] = sum;
        }
        double baseline = g.values()[tokens ? position : 0];
        double probability = g.values()[tokens ? length + position : 1];
        double total = Arrays.stream(attributions).sum();
        return new Result(attributions, probability, baseline, Math.abs(total - (probability - baseline)), steps);
    }
}
