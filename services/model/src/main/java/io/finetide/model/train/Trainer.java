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
 * Fine-tunes an encoder classifier: length-bucketed mini-batches with dynamic padding, AdamW or SGD with warmup and
 * decay, global-norm clipping, gradient accumulation, the parameters a {@link Strategy} names, validation after every
 * epoch, early stopping, restore of the best epoch's weights and checkpoints that resume a killed run exactly.
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
        return train(config, initial, encoder, train, validation, tc, strategy, listener, Checkpoint.Store.NONE);
    }

    /**
     * Trains, resuming from {@code checkpoints.latest()} when there is one (of this same run) and saving a checkpoint
     * every {@code checkpoints.everySteps()} updates and at each epoch's end. The best epoch is the one of highest
     * validation accuracy.
     */
    public static Result train(EncoderConfig config, Weights initial, TextEncoder encoder, List<LabelledText> train,
            List<LabelledText> validation, TrainingConfig tc, Strategy strategy, TrainingListener listener,
            Checkpoint.Store checkpoints) {
        if (config.tokenClassification()) {
            throw new IllegalArgumentException("a token-classification model trains on tagged words: trainTokens");
        }
        Data trainData = new Data(encoder.encodeAll(train.stream().map(LabelledText::text).toList()), train.stream()
                .mapToInt(LabelledText::label).toArray(), null, null, null);
        int[][] valIds = encoder.encodeAll(validation.stream().map(LabelledText::text).toList());
        int[] valLabels = validation.stream().mapToInt(LabelledText::label).toArray();
        int maxLength = Math.min(encoder.maxLength(), config.maxPositions());
        Validator validator = graph -> sequenceFigures(predict(graph, valIds, encoder.padId(), maxLength), valLabels,
                config.numLabels());
        return fit(config, initial, trainData, valIds.length, validator, encoder.padId(), maxLength, tc, strategy,
                listener, checkpoints);
    }

    /**
     * Sequence classification of text pairs (natural-language inference, paraphrase, question and passage): each pair
     * is joined by the tokenizer's template with segment ids 0 and 1 ({@link TextEncoder#encodePair}). The best epoch
     * is chosen as for single texts.
     */
    public static Result trainPairs(EncoderConfig config, Weights initial, TextEncoder encoder,
            List<LabelledPair> train, List<LabelledPair> validation, TrainingConfig tc, Strategy strategy,
            TrainingListener listener, Checkpoint.Store checkpoints) {
        if (config.tokenClassification() || config.decoder() || config.encoderDecoder()) {
            throw new IllegalArgumentException("text pairs train an encoder's sequence classifier");
        }
        List<TextEncoder.Pair> trainPairs = train.stream().map(p -> encoder.encodePair(p.first(), p.second()))
                .toList();
        List<TextEncoder.Pair> valPairs = validation.stream().map(p -> encoder.encodePair(p.first(), p.second()))
                .toList();
        int[] valLabels = validation.stream().mapToInt(LabelledPair::label).toArray();
        int maxLength = Math.min(encoder.maxLength(), config.maxPositions());
        Validator validator = graph -> sequenceFigures(predictPairs(graph, valPairs, encoder.padId(), maxLength),
                valLabels, config.numLabels());
        Data data = new Data(trainPairs.stream().map(TextEncoder.Pair::ids).toArray(int[][]::new), train.stream()
                .mapToInt(LabelledPair::label).toArray(), null, null,
                trainPairs.stream().map(
                        TextEncoder.Pair::typeIds).toArray(int[][]::new));
        return fit(config, initial, data, validation.size(), validator, encoder.padId(), maxLength, tc, strategy,
                listener, checkpoints);
    }

    /** Probabilities for every text pair, in input order, batched by length. */
    public static float[][] predictPairs(EncoderGraph graph, List<TextEncoder.Pair> pairs, int padId,
            int maxLength) {
        return predict(graph, pairs.stream().map(TextEncoder.Pair::ids).toArray(int[][]::new), pairs.stream().map(
                TextEncoder.Pair::typeIds).toArray(int[][]::new), padId, maxLength);
    }

    /**
     * Token classification (BIO tagging) on pre-split words: each word's first word piece carries its tag. The best
     * epoch is the one of highest entity-level F1 on the validation set (seqeval's definition), reported as the
     * epoch's validation accuracy.
     *
     * @param tags the model's labels, in order (tag names like {@code B-person}, {@code O})
     */
    public static Result trainTokens(EncoderConfig config, Weights initial, TextEncoder encoder,
            List<TaggedWords> train, List<TaggedWords> validation, List<String> tags, TrainingConfig tc,
            Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
        if (!config.tokenClassification() || tags.size() != config.numLabels()) {
            throw new IllegalArgumentException("a token-classification model with " + tags.size()
                    + " labels is needed");
        }
        int[][] ids = new int[train.size()][];
        int[][] positions = new int[train.size()][];
        for (int i = 0; i < ids.length; i++) {
            TextEncoder.Words w = encoder.encodeWords(train.get(i).words());
            ids[i] = w.ids();
            positions[i] = w.positionLabels(train.get(i).tags());
        }
        List<TextEncoder.Words> val = validation.stream().map(t -> encoder.encodeWords(t.words())).toList();
        List<List<String>> valTruth = validation.stream().map(t -> t.tagNames(tags)).toList();
        int maxLength = Math.min(encoder.maxLength(), config.maxPositions());
        Validator validator = graph -> {
            List<float[][]> probs = predictWords(graph, val, encoder.padId(), maxLength);
            List<List<String>> predicted = new ArrayList<>();
            double loss = 0;
            long counted = 0;
            for (int i = 0; i < probs.size(); i++) {
                predicted.add(argMaxTags(probs.get(i), tags));
                int[] truth = validation.get(i).tags();
                for (int w = 0; w < probs.get(i).length; w++) {
                    if (probs.get(i)[w] != null) {
                        loss -= Math.log(Math.max(1e-12, probs.get(i)[w][truth[w]]));
                        counted++;
                    }
                }
            }
            return new double[]{io.finetide.model.metrics.EntityF1.of(valTruth, predicted).f1(), counted == 0
                    ? 0
                    : loss / counted};
        };
        return fit(config, initial, new Data(ids, null, positions, null, null), validation.size(), validator,
                encoder.padId(),
                maxLength, tc, strategy, listener, checkpoints);
    }

    /**
     * Language modelling (a decoder with the {@code lm} head): every position learns the next token of its text. The
     * best epoch is the one of highest next-token accuracy on the validation texts.
     */
    public static Result trainLanguageModel(EncoderConfig config, Weights initial, TextEncoder encoder,
            List<String> train, List<String> validation, TrainingConfig tc, Strategy strategy,
            TrainingListener listener, Checkpoint.Store checkpoints) {
        if (!config.languageModel()) {
            throw new IllegalArgumentException("a decoder with a language-model head is needed");
        }
        int[][] ids = encoder.encodeAll(train);
        int[][] next = new int[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            next[i] = nextTokens(ids[i]);
        }
        int[][] valIds = encoder.encodeAll(validation);
        int maxLength = Math.min(encoder.maxLength(), config.maxPositions());
        Validator validator = graph -> {
            long right = 0;
            long counted = 0;
            double loss = 0;
            for (int start = 0; start < valIds.length; start += 16) {
                int[][] seqs = Arrays.copyOfRange(valIds, start, Math.min(valIds.length, start + 16));
                float[][][] p = graph.predictTokens(Batch.of(seqs, encoder.padId(), PAD_MULTIPLE, maxLength));
                for (int i = 0; i < seqs.length; i++) {
                    for (int t = 0; t + 1 < seqs[i].length; t++) {
                        int truth = seqs[i][t + 1];
                        right += argMax(p[i][t]) == truth ? 1 : 0;
                        loss -= Math.log(Math.max(1e-12, p[i][t][truth]));
                        counted++;
                    }
                }
            }
            return new double[]{counted == 0 ? 0 : right / (double) counted, counted == 0 ? 0 : loss / counted};
        };
        return fit(config, initial, new Data(ids, null, next, null, null), validation.size(), validator,
                encoder.padId(),
                maxLength, tc, strategy, listener, checkpoints);
    }

    /**
     * Sequence to sequence (an encoder-decoder), on token ids: each target is learned with teacher forcing (the
     * decoder reads {@code decoderStart} then the target's tokens before the one it predicts). Targets should end with
     * the end-of-sequence id the model is to emit. The best epoch is the one of highest teacher-forced token accuracy
     * on the validation pairs.
     */
    public static Result trainSeq2Seq(EncoderConfig config, Weights initial, List<int[]> sources, List<int[]> targets,
            List<int[]> validationSources, List<int[]> validationTargets, int padId, int decoderStart,
            TrainingConfig tc, Strategy strategy, TrainingListener listener, Checkpoint.Store checkpoints) {
        if (!config.encoderDecoder()) {
            throw new IllegalArgumentException("sequence to sequence needs an encoder-decoder");
        }
        if (sources.size() != targets.size() || validationSources.size() != validationTargets.size()) {
            throw new IllegalArgumentException("every source needs one target");
        }
        int[][] decoderIds = targets.stream().map(t -> shiftRight(t, decoderStart)).toArray(int[][]::new);
        int maxLength = config.maxPositions();
        Validator validator = graph -> {
            long right = 0;
            long counted = 0;
            double loss = 0;
            for (int start = 0; start < validationSources.size(); start += 32) {
                int end = Math.min(validationSources.size(), start + 32);
                int[][] src = validationSources.subList(start, end).toArray(int[][]::new);
                int[][] dec = validationTargets.subList(start, end).stream().map(t -> shiftRight(t, decoderStart))
                        .toArray(int[][]::new);
                float[][][] p = graph.predictTokens(Batch.of(src, padId, PAD_MULTIPLE, maxLength).withDecoder(Batch
                        .of(dec, padId, PAD_MULTIPLE, maxLength)));
                for (int i = 0; i < src.length; i++) {
                    int[] truth = validationTargets.get(start + i);
                    for (int t = 0; t < truth.length; t++) {
                        right += argMax(p[i][t]) == truth[t] ? 1 : 0;
                        loss -= Math.log(Math.max(1e-12, p[i][t][truth[t]]));
                        counted++;
                    }
                }
            }
            return new double[]{counted == 0 ? 0 : right / (double) counted, counted == 0 ? 0 : loss / counted};
        };
        return fit(config, initial, new Data(sources.toArray(int[][]::new), null, targets.toArray(int[][]::new),
                decoderIds, null), validationSources.size(), validator, padId, maxLength, tc, strategy, listener,
                checkpoints);
    }

    /** {accuracy, loss, macro-F1} of a sequence classifier's validation probabilities. */
    private static double[] sequenceFigures(float[][] probs, int[] labels, int numLabels) {
        int[] predicted = Arrays.stream(probs).mapToInt(Trainer::argMax).toArray();
        List<String> names = java.util.stream.IntStream.range(0, numLabels).mapToObj(String::valueOf).toList();
        double macroF1 = labels.length == 0
                ? 0
                : io.finetide.model.metrics.ClassificationReport.of(labels, predicted, names).macroF1();
        return new double[]{accuracy(probs, labels), crossEntropy(probs, labels), macroF1};
    }

    /** The decoder's input under teacher forcing: the start id, then the target without its last token. */
    public static int[] shiftRight(int[] target, int decoderStart) {
        int[] out = new int[target.length];
        out[0] = decoderStart;
        System.arraycopy(target, 0, out, 1, target.length - 1);
        return out;
    }

    /** Position t's label is token t + 1; the last position has none. */
    static int[] nextTokens(int[] ids) {
        int[] out = new int[ids.length];
        for (int t = 0; t < ids.length; t++) {
            out[t] = t + 1 < ids.length ? ids[t + 1] : -1;
        }
        return out;
    }

    /**
     * Training data: ids per example and a label per example, or one per position (-1: none); for an encoder-decoder
     * the decoder's inputs too, whose positions the position labels follow; for text pairs, each token's segment.
     */
    private record Data(int[][] ids, int[] labels, int[][] positionLabels, int[][] decoderIds, int[][] types) {
        /** The labels of a batch: one per example, or one per padded position, flattened. */
        int[] batchLabels(int[] idx, int length) {
            if (labels != null) {
                int[] y = new int[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    y[i] = labels[idx[i]];
                }
                return y;
            }
            int[] y = new int[idx.length * length];
            Arrays.fill(y, -1);
            for (int i = 0; i < idx.length; i++) {
                int[] p = positionLabels[idx[i]];
                System.arraycopy(p, 0, y, i * length, p.length);
            }
            return y;
        }

        int[] allLabels() {
            if (labels != null) {
                return labels;
            }
            return Arrays.stream(positionLabels).flatMapToInt(Arrays::stream).filter(y -> y >= 0).toArray();
        }
    }

    /**
     * Validation figures of the graph's current weights: {accuracy-like (higher is better), loss} and, for sequence
     * tasks, macro-F1 third.
     */
    private interface Validator {
        double[] evaluate(EncoderGraph graph);
    }

    private static Result fit(EncoderConfig config, Weights initial, Data data, int validationSize,
            Validator validator, int padId, int maxLength, TrainingConfig tc, Strategy strategy,
            TrainingListener listener, Checkpoint.Store checkpoints) {
        if (data.ids().length == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        long started = System.nanoTime();
        int[][] trainIds = data.ids();
        int accumulation = tc.accumulationSteps();
        EncoderGraph.Options options = new EncoderGraph.Options(true, strategy.trainable(config), tc.seed(), tc
                .threads(), tc.labelSmoothing(),
                tc.classWeighting() == TrainingConfig.ClassWeighting.BALANCED
                        ? balancedWeights(data.allLabels(), config.numLabels())
                        : null,
                tc.layerDecay(), tc.optimizer(), tc.momentum(), strategy.lora(),
                strategy.kind() == Strategy.Kind.GRADUAL,
                accumulation > 1);
        int batchesPerEpoch = (trainIds.length + tc.batchSize() - 1) / tc.batchSize();
        long updatesPerEpoch = (batchesPerEpoch + accumulation - 1) / accumulation;
        long totalSteps = updatesPerEpoch * tc.epochs();
        // The whole strategy (LoRA's alpha and targets too): a checkpoint under another scale would resume silently
        // wrong.
        String run = tc + " " + strategy + " " + config + " train=" + trainIds.length + " validation="
                + validationSize;
        Checkpoint resume = checkpoints.latest().orElse(null);
        if (resume != null && !resume.run().equals(run)) {
            throw new IllegalStateException("the checkpoint belongs to another run: " + resume.run());
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
        try (EncoderGraph graph = EncoderGraph.create(config, initial, options)) {
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
                java.util.Set<String> active = strategy.activeIn(epoch, config);
                List<int[]> batches = batches(trainIds, tc.batchSize(), new Random(tc.seed() * 31 + epoch));
                for (int b = epoch == firstEpoch ? skipBatches : 0; b < batches.size(); b++) {
                    int[] batchIdx = batches.get(b);
                    int[][] seqs = new int[batchIdx.length][];
                    for (int i = 0; i < batchIdx.length; i++) {
                        seqs[i] = trainIds[batchIdx[i]];
                    }
                    EncoderGraph.Step knobs = new EncoderGraph.Step(micro, tc.learningRateAt(step, totalSteps), tc
                            .weightDecay(), tc.maxGradNorm(), tc.dropout(), active);
                    Batch batch = data.types() == null
                            ? Batch.of(seqs, padId, PAD_MULTIPLE, maxLength)
                            : Batch.ofPairs(seqs, Arrays.stream(batchIdx).mapToObj(i -> data.types()[i]).toArray(
                                    int[][]::new), padId, PAD_MULTIPLE, maxLength);
                    if (data.decoderIds() != null) {
                        int[][] dec = Arrays.stream(batchIdx).mapToObj(i -> data.decoderIds()[i]).toArray(
                                int[][]::new);
                        batch = batch.withDecoder(Batch.of(dec, padId, PAD_MULTIPLE, maxLength));
                    }
                    int[] y = data.batchLabels(batchIdx, batch.outputLength());
                    float loss;
                    boolean updated;
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
                    micro++;
                    if (!Float.isFinite(loss)) {
                        throw new IllegalStateException("training diverged at step " + (step + 1) + " (loss " + loss
                                + ")");
                    }
                    lossSum += loss;
                    lossCount++;
                    if (updated) {
                        step++;
                        if (checkpoints.everySteps() > 0 && step % checkpoints.everySteps() == 0
                                && b < batches.size() - 1) {
                            checkpoints.save(new Checkpoint(run, step, micro, epoch, b + 1, lossSum, lossCount,
                                    bestMetric, bestEpoch, List.copyOf(history), graph.state(), bestEpoch == 0
                                            ? null
                                            : best));
                        }
                    }
                }
                double[] validation = validator.evaluate(graph);
                double valAcc = validation[0];
                double valLoss = validation[1];
                double metric = switch (tc.selection()) {
                    case ACCURACY -> valAcc;
                    case MACRO_F1 -> validation.length > 2 ? validation[2] : valAcc;
                    case LOSS -> -valLoss;
                };
                boolean improved = metric > bestMetric;
                if (improved) {
                    bestMetric = metric;
                    bestEpoch = epoch;
                    best = graph.weights();
                }
                TrainingListener.Epoch report = new TrainingListener.Epoch(epoch, tc.epochs(), step, totalSteps,
                        lossSum / Math.max(1, lossCount), valLoss, valAcc, metric, (System.nanoTime() - epochStart)
                                / 1_000_000,
                        improved);
                history.add(report);
                listener.epochEnded(report);
                lossSum = 0;
                lossCount = 0;
                boolean stop = tc.patience() > 0 && epoch - bestEpoch >= tc.patience();
                if (!stop && epoch < tc.epochs()) {
                    checkpoints.save(new Checkpoint(run, step, micro, epoch + 1, 0, 0, 0, bestMetric, bestEpoch,
                            List.copyOf(history), graph.state(), best));
                }
                if (stop) {
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

    /**
     * Label probabilities of every word (at its first word piece; null for a word cut off by truncation), in input
     * order, batched by length.
     */
    public static List<float[][]> predictWords(EncoderGraph graph, List<TextEncoder.Words> words, int padId,
            int maxLength) {
        List<float[][]> out = new ArrayList<>(Collections.nCopies(words.size(), null));
        Integer[] order = new Integer[words.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> words.get(i).ids().length));
        int batchSize = 64;
        for (int start = 0; start < order.length; start += batchSize) {
            int n = Math.min(batchSize, order.length - start);
            int[][] seqs = new int[n][];
            for (int i = 0; i < n; i++) {
                seqs[i] = words.get(order[start + i]).ids();
            }
            float[][][] p = graph.predictTokens(Batch.of(seqs, padId, PAD_MULTIPLE, maxLength));
            for (int i = 0; i < n; i++) {
                TextEncoder.Words w = words.get(order[start + i]);
                float[][] perWord = new float[w.count()][];
                for (int j = 0; j < w.ids().length; j++) {
                    int word = w.wordIds()[j];
                    if (word >= 0 && perWord[word] == null) {
                        perWord[word] = p[i][j];
                    }
                }
                out.set(order[start + i], perWord);
            }
        }
        return out;
    }

    /** The most likely tag of each word; "O" for a word without probabilities (cut off by truncation). */
    public static List<String> argMaxTags(float[][] perWord, List<String> tags) {
        List<String> out = new ArrayList<>();
        for (float[] p : perWord) {
            out.add(p == null ? "O" : tags.get(argMax(p)));
        }
        return out;
    }

    /** Probabilities for every sequence, in input order, batched by length. */
    public static float[][] predict(EncoderGraph graph, int[][] ids, int padId, int maxLength) {
        return predict(graph, ids, null, padId, maxLength);
    }

    /** @param types segment ids of text pairs, or null for single texts */
    private static float[][] predict(EncoderGraph graph, int[][] ids, int[][] types, int padId, int maxLength) {
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
            int[][] segments = types == null ? null : new int[n][];
            for (int i = 0; i < n; i++) {
                seqs[i] = ids[order[start + i]];
                if (types != null) {
                    segments[i] = types[order[start + i]];
                }
            }
            float[][] p = graph.predict(types == null
                    ? Batch.of(seqs, padId, PAD_MULTIPLE, maxLength)
                    : Batch.ofPairs(seqs, segments, padId, PAD_MULTIPLE, maxLength));
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
