package io.finetide.evaluation.judging;

import java.util.ArrayList;
import java.util.List;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.Predictor;
import io.finetide.model.infer.Tagger;

/**
 * A candidate or champion loaded once for the whole verdict: the golden and recent sets, then every perturbation, go
 * through the same session.
 */
public final class JudgedModel implements AutoCloseable {

    private final ModelBundle bundle;
    private final long bundleBytes;
    private final Classifier classifier;
    private final Tagger tagger;

    private JudgedModel(ModelBundle bundle, long bundleBytes, Classifier classifier, Tagger tagger) {
        this.bundle = bundle;
        this.bundleBytes = bundleBytes;
        this.classifier = classifier;
        this.tagger = tagger;
    }

    /** @param artifact the bundle as stored */
    public static JudgedModel load(byte[] artifact, int threads) {
        ModelBundle bundle = ModelBundle.fromBytes(artifact);
        return bundle.config().tokenClassification()
                ? new JudgedModel(bundle, artifact.length, null, Tagger.load(bundle, threads))
                : new JudgedModel(bundle, artifact.length, Classifier.load(bundle, threads), null);
    }

    /** The size of the bundle as stored. */
    public long bundleBytes() {
        return bundleBytes;
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public List<String> labels() {
        return bundle.labels();
    }

    /**
     * @param texts     what a classifier reads
     * @param textPairs the second text of each pair, for a model trained on pairs; empty otherwise
     * @param words     what a tagger reads, one list per example
     */
    public Predictions predict(List<String> texts, List<String> textPairs, List<List<String>> words) {
        if (tagger != null) {
            List<List<String>> tags = new ArrayList<>(words.size());
            if (!words.isEmpty()) {
                tagger.tag(words).forEach(t -> tags.add(t.tags()));
            }
            return Predictions.ofTags(tags);
        }
        float[][] raw = texts.isEmpty()
                ? new float[0][]
                : textPairs.isEmpty()
                        ? classifier.uncalibratedProbabilities(texts)
                        : classifier.uncalibratedPairProbabilities(texts, textPairs);
        float[][] calibrated = classifier.calibrated(raw);
        int[] labels = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            labels[i] = Predictor.argMax(raw[i]);
        }
        return Predictions.ofLabels(labels, calibrated, raw);
    }

    public Predictions predict(List<JudgedExample> examples) {
        return predict(examples.stream().map(JudgedExample::text).toList(), textPairs(examples), examples.stream()
                .map(JudgedExample::words).toList());
    }

    /** The examples' second texts when they are pairs (a task's examples all are, or none), else empty. */
    public static List<String> textPairs(List<JudgedExample> examples) {
        return examples.stream().anyMatch(e -> !e.textPair().isEmpty())
                ? examples.stream().map(JudgedExample::textPair).toList()
                : List.of();
    }

    @Override
    public void close() {
        if (classifier != null) {
            classifier.close();
        }
        if (tagger != null) {
            tagger.close();
        }
    }
}
