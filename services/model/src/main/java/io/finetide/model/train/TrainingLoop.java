package io.finetide.model.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.PrivateSteps;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.graph.UpdateStep;
import io.finetide.model.privacy.DpSgd;
import io.finetide.model.privacy.PoissonSampling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * The one training loop every {@link Objective} runs through: length-bucketed mini-batches with dynamic padding,
 * the learning-rate schedule, gradient accumulation or DP-SGD's Poisson-sampled, clipped and noised updates, the
 * parameters a {@link Strategy} names, validation after every epoch, early stopping, the best epoch's weights, and
 * checkpoints that resume a killed run exactly. Deterministic for a fixed seed and thread count.
 */
final class TrainingLoop {

    private static final int BUCKET_BATCHES = 32;
    /** Examples per ghost-clipped piece of a DP-SGD batch. */
    private static final int GHOST_PIECE = 16;

    private TrainingLoop() {
    }

    static Trainer.Result fit(TransformerConfig config, Weights initial, Objective objective, int padId,
            int maxLength, TrainingConfig requested, Strategy strategy, TrainingListener listener,
            Checkpoint.Store checkpoints) {
        TrainingData data = objective.data();
        if (data.ids().length == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        int longest = 0;
        for (int[] ids : data.ids()) {
            longest = Math.max(longest, ids.length);
        }
        TrainingConfig tc = requested.withinTokens(longest, TrainingConfig.TOKENS_PER_PASS);
        long started = System.nanoTime();
        int[][] trainIds = data.ids();
        int accumulation = tc.accumulationSteps();
        GraphOptions options = GraphOptions.training(strategy.trainable(config)).seed(tc.seed()).threads(tc.threads())
                .labelSmoothing(tc.labelSmoothing())
                .classWeights(tc.classWeighting() == TrainingConfig.ClassWeighting.BALANCED
                        ? Trainer.balancedWeights(data.allLabels(), config.numLabels())
                        : null)
                .layerDecay(tc.layerDecay()).optimizer(tc.optimizer()).momentum(tc.momentum()).lora(strategy.lora())
                .staged(strategy.kind() == Strategy.Kind.GRADUAL).accumulate(accumulation > 1).privateSteps(tc
                        .privacy() != null)
                .distillation(objective.distillation())
                .build();
        DpSgd privacy = tc.privacy();
        int batchesPerEpoch = (trainIds.length + tc.batchSize() - 1) / tc.batchSize();
        long updatesPerEpoch = (batchesPerEpoch + accumulation - 1) / accumulation;
        long totalSteps = updatesPerEpoch * tc.epochs();
        // The whole strategy (LoRA's alpha and targets too): a checkpoint under another scale would resume silently
        // wrong.
        String run = tc + " " + strategy + " " + config + " train=" + trainIds.length + " validation="
                + objective.validationSize() + (objective.distillation() == null
                        ? ""
                        : " " + objective.distillation());
        Checkpoint resume = checkpoints.latest().orElse(null);
        if (resume != null && !resume.run().equals(run)) {
            throw new ForeignCheckpointException(resume.run());
        }
        listener.started(tc.epochs(), totalSteps, trainIds.length);

        List<TrainingListener.Epoch> history = new ArrayList<>();
        Weights best = initial;
        double bestMetric = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        long step = 0;
        long micro = 0;
        int firstEpoch = 1;
        int skipBatches = 0;
        double lossSum = 0;
        int lossCount = 0;
        long paceStart = System.nanoTime();
        long examplesSeen = 0;
        try (TransformerGraph graph = TransformerGraph.create(config, initial, options)) {
            if (resume != null) {
                graph.loadState(resume.state());
                history.addAll(resume.history());
                best = resume.best() == null ? initial : resume.best();
                bestMetric = resume.bestMetric();
                bestEpoch = resume.bestEpoch();
                step = resume.step();
                micro = resume.microStep();
                firstEpoch = resume.epoch();
                skipBatches = resume.batchesDone();
                lossSum = resume.lossSum();
                lossCount = resume.lossCount();
                listener.resumed(step, firstEpoch);
            }
            for (int epoch = firstEpoch; epoch <= tc.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                Set<String> active = strategy.activeIn(epoch, config);
                List<int[]> batches = privacy == null
                        ? batches(trainIds, tc.batchSize(), new Random(tc.seed() * 31 + epoch))
                        : poissonBatches(privacy, batchesPerEpoch, epoch, trainIds.length, tc.batchSize());
                long inEpoch = epoch == firstEpoch
                        ? Math.min(trainIds.length, (long) skipBatches * tc.batchSize())
                        : 0;
                for (int b = epoch == firstEpoch ? skipBatches : 0; b < batches.size(); b++) {
                    int[] batchIdx = batches.get(b);
                    UpdateStep knobs = new UpdateStep(micro, tc.learningRateAt(step, totalSteps), tc.weightDecay(), tc
                            .maxGradNorm(), tc.dropout(), active);
                    float loss;
                    boolean updated;
                    if (privacy != null) {
                        loss = privateStep(graph, data, batchIdx, padId, maxLength, knobs, privacy, step, tc
                                .batchSize());
                        updated = true;
                    } else {
                        Batch batch = data.batch(batchIdx, padId, maxLength);
                        int[] y = data.batchLabels(batchIdx, batch.outputLength());
                        if (accumulation == 1) {
                            loss = graph.trainStep(batch, y, knobs).loss();
                            updated = true;
                        } else {
                            loss = graph.accumulate(batch, y, knobs);
                            updated = (b + 1) % accumulation == 0 || b == batches.size() - 1;
                            if (updated) {
                                graph.applyAccumulated(knobs);
                            }
                        }
                    }
                    micro++;
                    // An empty Poisson batch is an update of noise alone, with no loss to count.
                    if (batchIdx.length > 0) {
                        if (!Float.isFinite(loss)) {
                            throw new IllegalStateException("training diverged at step " + (step + 1) + " (loss "
                                    + loss + ")");
                        }
                        lossSum += loss;
                        lossCount++;
                    }
                    inEpoch += batchIdx.length;
                    examplesSeen += batchIdx.length;
                    if (updated) {
                        step++;
                        double seconds = (System.nanoTime() - paceStart) / 1e9;
                        listener.stepped(new TrainingListener.Steps(epoch, tc.epochs(), step, totalSteps, inEpoch,
                                trainIds.length, lossSum / lossCount, knobs.learningRate(), seconds > 0
                                        ? examplesSeen / seconds
                                        : 0));
                        if (checkpoints.everySteps() > 0 && step % checkpoints.everySteps() == 0
                                && b < batches.size() - 1) {
                            checkpoints.save(new Checkpoint(run, step, micro, epoch, b + 1, lossSum, lossCount,
                                    bestMetric, bestEpoch, List.copyOf(history), graph.state(), bestEpoch == 0
                                            ? null
                                            : best));
                            listener.checkpointed(step);
                        }
                    }
                }
                ValidationFigures validation = objective.validate(graph);
                double metric = validation.metric(tc.selection());
                boolean improved = metric > bestMetric || tc.selection() == TrainingConfig.Selection.LAST_EPOCH;
                if (improved) {
                    bestMetric = metric;
                    bestEpoch = epoch;
                    best = graph.weights();
                }
                TrainingListener.Epoch report = new TrainingListener.Epoch(epoch, tc.epochs(), step, totalSteps,
                        lossSum / Math.max(1, lossCount), validation.loss(), validation.score(), metric, (System
                                .nanoTime() - epochStart) / 1_000_000,
                        improved);
                history.add(report);
                listener.epochEnded(report);
                lossSum = 0;
                lossCount = 0;
                boolean stop = tc.patience() > 0 && epoch - bestEpoch >= tc.patience();
                if (!stop && epoch < tc.epochs()) {
                    checkpoints.save(new Checkpoint(run, step, micro, epoch + 1, 0, 0, 0, bestMetric, bestEpoch,
                            List.copyOf(history), graph.state(), best));
                    if (checkpoints != Checkpoint.Store.NONE) {
                        listener.checkpointed(step);
                    }
                }
                if (stop) {
                    break;
                }
            }
        }
        return new Trainer.Result(best, List.copyOf(history), bestEpoch, step, (System.nanoTime() - started)
                / 1_000_000, privacy == null ? null : privacy.spend(trainIds.length, tc.batchSize(), step));
    }

    /**
     * One DP-SGD update: each example of the Poisson batch clipped on its own (in pieces where the graph can ghost
     * clip, else one micro-batch each), then the noised mean; its mean loss.
     */
    private static float privateStep(TransformerGraph graph, TrainingData data, int[] batchIdx, int padId,
            int maxLength, UpdateStep knobs, DpSgd privacy, long step, int expectedBatch) {
        double lossSum = 0;
        PrivateSteps steps = graph.privateSteps();
        // Clipping is per example, so a ghost-clipping graph may cut a Poisson batch into pieces of similar length: a
        // random batch padded to its longest text computed two to three times the tokens of a length-bucketed one.
        int piece = steps.clipsBatches() ? GHOST_PIECE : 1;
        int[][] ids = data.ids();
        int[] order = piece == 1
                ? batchIdx
                : Arrays.stream(batchIdx).boxed().sorted(Comparator.comparingInt(i -> ids[i].length)).mapToInt(
                        Integer::intValue).toArray();
        for (int from = 0; from < order.length; from += piece) {
            int[] part = Arrays.copyOfRange(order, from, Math.min(order.length, from + piece));
            Batch batch = data.batch(part, padId, maxLength);
            lossSum += steps.accumulateClipped(batch, data.batchLabels(part, batch.outputLength()), knobs, privacy
                    .clipNorm()).loss() * part.length;
        }
        steps.applyNoised(knobs, new PrivateSteps.Noise(privacy.noiseMultiplier() * privacy.clipNorm(),
                privacy.noiseSeed(), step, expectedBatch));
        return batchIdx.length == 0 ? Float.NaN : (float) (lossSum / batchIdx.length);
    }

    /** An epoch of DP-SGD: as many updates as shuffled batches would make, each batch Poisson-sampled. */
    private static List<int[]> poissonBatches(DpSgd privacy, int updates, int epoch, int examples, int batchSize) {
        double q = DpSgd.samplingRate(examples, batchSize);
        List<int[]> batches = new ArrayList<>();
        for (int b = 0; b < updates; b++) {
            batches.add(PoissonSampling.batch(privacy.noiseSeed(), (long) (epoch - 1) * updates + b, examples, q));
        }
        return batches;
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
}
