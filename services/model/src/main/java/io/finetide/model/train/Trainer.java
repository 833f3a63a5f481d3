package io.finetide.model.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;

import io.finetide.model.encoder.Batch;
import io.finetide.model.encoder.EncoderConfig;
import io.finetide.model.encoder.EncoderGraph;
import io.finetide.model.encoder.Weights;
import io.finetide.model.text.TextEncoder;

/**
 * Fine-tunes an encoder classifier: length-bucketed mini-batches with dynamic padding, AdamW with linear warmup and
 * decay, global-norm clipping, validation after every epoch, early stopping and restore of the best epoch's weights.
 * Deterministic for a fixed seed and thread count.
 */
public final class Trainer {

    /** Sequences are padded to a multiple of this: fewer distinct shapes for TensorFlow to plan. */
    private static final int PAD_MULTIPLE = 8;
    private static final int BUCKET_BATCHES = 32;

    public record Result(Weights weights, List<TrainingListener.Epoch> history, int bestEpoch, long steps,
            long millis) {
        public TrainingListener.Epoch best() {
            return history.get(bestEpoch - 1);
        }
    }

    private Trainer() {
    }

    public static Result train(EncoderConfig config, Weights initial, TextEncoder encoder, List<LabelledText> train,
            List<LabelledText> validation, TrainingConfig tc, TrainingListener listener) {
        return train(config, initial, encoder, train, validation, tc, Strategy.full(), listener);
    }

    public static Result train(EncoderConfig config, Weights initial, TextEncoder encoder, List<LabelledText> train,
            List<LabelledText> validation, TrainingConfig tc, Strategy strategy, TrainingListener listener) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        long started = System.nanoTime();
        int[][] trainIds = encoder.encodeAll(train.stream().map(LabelledText::text).toList());
        int[] trainLabels = train.stream().mapToInt(LabelledText::label).toArray();
        int[][] valIds = encoder.encodeAll(validation.stream().map(LabelledText::text).toList());
        int[] valLabels = validation.stream().mapToInt(LabelledText::label).toArray();
        int maxLength = Math.min(encoder.maxLength(), config.maxPositions());

        Set<String> trainable = strategy.trainable(config);
        EncoderGraph.Options options = new EncoderGraph.Options(true, trainable, tc.seed(), tc.threads(),
                tc.labelSmoothing(), tc.classWeighting() == TrainingConfig.ClassWeighting.BALANCED
                        ? balancedWeights(trainLabels, config.numLabels())
                        : null,
                tc.layerDecay());
        int batchesPerEpoch = (trainIds.length + tc.batchSize() - 1) / tc.batchSize();
        long totalSteps = (long) batchesPerEpoch * tc.epochs();
        listener.started(tc.epochs(), totalSteps, trainIds.length);

        List<TrainingListener.Epoch> history = new ArrayList<>();
        Weights best = initial;
        double bestAccuracy = -1;
        int bestEpoch = 0;
        long step = 0;
        try (EncoderGraph graph = EncoderGraph.create(config, initial, options)) {
            for (int epoch = 1; epoch <= tc.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                double lossSum = 0;
                int lossCount = 0;
                for (int[] batchIdx : batches(trainIds, tc.batchSize(), new Random(tc.seed() * 31 + epoch))) {
                    int[][] seqs = new int[batchIdx.length][];
                    int[] y = new int[batchIdx.length];
                    for (int i = 0; i < batchIdx.length; i++) {
                        seqs[i] = trainIds[batchIdx[i]];
                        y[i] = trainLabels[batchIdx[i]];
                    }
                    double lr = tc.learningRateAt(step, totalSteps);
                    long t = step + 1;
                    double bc1 = 1 - Math.pow(0.9, t);
                    double bc2 = 1 - Math.pow(0.999, t);
                    float clip = tc.maxGradNorm() > 0 ? (float) tc.maxGradNorm() : Float.MAX_VALUE;
                    EncoderGraph.StepResult r = graph.trainStep(Batch.of(seqs, encoder.padId(), PAD_MULTIPLE,
                            maxLength), y, (float) (lr / bc1), (float) (1 / Math.sqrt(bc2)),
                            (float) (lr * tc.weightDecay()), clip, (float) tc.dropout());
                    if (!Float.isFinite(r.loss())) {
                        throw new IllegalStateException("training diverged at step " + t + " (loss " + r.loss() + ")");
                    }
                    lossSum += r.loss();
                    lossCount++;
                    step++;
                }
                float[][] probs = predict(graph, valIds, encoder.padId(), maxLength);
                double valAcc = accuracy(probs, valLabels);
                double valLoss = crossEntropy(probs, valLabels);
                boolean improved = valAcc > bestAccuracy;
                if (improved) {
                    bestAccuracy = valAcc;
                    bestEpoch = epoch;
                    best = graph.weights();
                }
                TrainingListener.Epoch report = new TrainingListener.Epoch(epoch, tc.epochs(), step, totalSteps,
                        lossSum / Math.max(1, lossCount), valLoss, valAcc, (System.nanoTime() - epochStart) / 1_000_000,
                        improved);
                history.add(report);
                listener.epochEnded(report);
                if (tc.patience() > 0 && epoch - bestEpoch >= tc.patience()) {
                    break;
                }
            }
        }
        return new Result(best, List.copyOf(history), bestEpoch, step, (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Shuffled batches of similar length: shuffle, cut into buckets of {@code BUCKET_BATCHES} batches, sort each
     * bucket by length, then shuffle the batch order.
     */
    static List<int[]> batches(int[][] ids, int batchSize, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<int[]> batches = new ArrayList<>();
        int bucket = batchSize * BUCKET_BATCHES;
        for (int start = 0; start < order.size(); start += bucket) {
            List<Integer> chunk = new ArrayList<>(order.subList(start, Math.min(order.size(), start + bucket)));
            chunk.sort(Comparator.comparingInt(i -> ids[i].length));
            for (int b = 0; b < chunk.size(); b += batchSize) {
                batches.add(chunk.subList(b, Math.min(chunk.size(), b + batchSize)).stream().mapToInt(i -> i)
                        .toArray());
            }
        }
        Collections.shuffle(batches, random);
        return batches;
    }

    /** Probabilities for every sequence, in input order, batched by length. */
    public static float[][] predict(EncoderGraph graph, int[][] ids, int padId, int maxLength) {
        float[][] out = new float[ids.length][];
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length));
        int batchSize = 64;
        for (int start = 0; start < order.length; start += batchSize) {
            int n = Math.min(batchSize, order.length - start);
            int[][] seqs = new int[n][];
            for (int i = 0; i < n; i++) {
                seqs[i] = ids[order[start + i]];
            }
            float[][] p = graph.predict(Batch.of(seqs, padId, PAD_MULTIPLE, maxLength));
            for (int i = 0; i < n; i++) {
                out[order[start + i]] = p[i];
            }
        }
        return out;
    }

    static double accuracy(float[][] probs, int[] labels) {
        if (labels.length == 0) {
            return 0;
        }
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (argMax(probs[i]) == labels[i]) {
                correct++;
            }
        }
        return correct / (double) labels.length;
    }

    /** N / (K n_k) per label k over {@code labels}; 1 for a label without examples (it never weighs anything). */
    public static float[] balancedWeights(int[] labels, int numLabels) {
        int[] counts = new int[numLabels];
        for (int y : labels) {
            counts[y]++;
        }
        float[] w = new float[numLabels];
        for (int k = 0; k < numLabels; k++) {
            w[k] = counts[k] == 0 ? 1f : (float) ((double) labels.length / ((double) numLabels * counts[k]));
        }
        return w;
    }

    static double crossEntropy(float[][] probs, int[] labels) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum -= Math.log(Math.max(1e-12, probs[i][labels[i]]));
        }
        return labels.length == 0 ? 0 : sum / labels.length;
    }

    public static int argMax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
