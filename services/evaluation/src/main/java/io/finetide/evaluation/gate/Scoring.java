package io.finetide.evaluation.gate;

import java.util.List;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.Tagger;
import io.finetide.model.metrics.ClassificationReport;
import io.finetide.model.metrics.EntityF1;
import io.finetide.proto.v1.ClassMetrics;
import io.finetide.proto.v1.Metrics;

/** Scores a model bundle on labelled texts and converts the report to its event form. */
public final class Scoring {

    private Scoring() {
    }

    /**
     * @param truth label names, one per text; a label the model does not know counts as an error
     */
    public static Metrics score(ModelBundle bundle, List<String> texts, List<String> truth, int threads) {
        try (Classifier classifier = Classifier.load(bundle, threads)) {
            int[] predicted = texts.isEmpty() ? new int[0] : classifier.predictIndices(texts);
            int[] expected = truth.stream().mapToInt(l -> bundle.labels().indexOf(l)).toArray();
            for (int i = 0; i < expected.length; i++) {
                if (expected[i] < 0) {
                    throw new IllegalArgumentException("test label '" + truth.get(i) + "' unknown to the model");
                }
            }
            return toEvent(ClassificationReport.of(expected, predicted, bundle.labels()));
        }
    }

    /**
     * A tagging model on tagged words: {@code accuracy} is the share of words tagged right, {@code micro_f1} the
     * entity-level F1 over all entities (seqeval's figure), {@code macro_*} the means over entity types, and
     * {@code per_class} one row per entity type (support: its true entities).
     */
    public static Metrics scoreTags(ModelBundle bundle, List<List<String>> words, List<List<String>> truth,
            int threads) {
        List<List<String>> predicted;
        try (Tagger tagger = Tagger.load(bundle, threads)) {
            predicted = tagger.tag(words).stream().map(Tagger.Tagged::tags).toList();
        }
        long right = 0;
        long total = 0;
        for (int i = 0; i < truth.size(); i++) {
            for (int w = 0; w < truth.get(i).size(); w++) {
                right += truth.get(i).get(w).equals(predicted.get(i).get(w)) ? 1 : 0;
                total++;
            }
        }
        EntityF1 f = EntityF1.of(truth, predicted);
        Metrics.Builder b = Metrics.newBuilder().setExamples(truth.size()).setAccuracy(total == 0
                ? 0
                : right
                        / (double) total)
                .setMicroF1(f.f1());
        double p = 0;
        double r = 0;
        double f1 = 0;
        for (var e : f.perType().entrySet()) {
            b.addPerClass(ClassMetrics.newBuilder().setLabel(e.getKey()).setPrecision(e.getValue().precision())
                    .setRecall(e.getValue().recall()).setF1(e.getValue().f1()).setSupport(e.getValue().support()));
            p += e.getValue().precision();
            r += e.getValue().recall();
            f1 += e.getValue().f1();
        }
        int types = Math.max(1, f.perType().size());
        return b.setMacroPrecision(p / types).setMacroRecall(r / types).setMacroF1(f1 / types).build();
    }

    public static Metrics toEvent(ClassificationReport r) {
        Metrics.Builder b = Metrics.newBuilder().setExamples(r.examples()).setAccuracy(r.accuracy())
                .setMacroPrecision(r.macroPrecision()).setMacroRecall(r.macroRecall()).setMacroF1(r.macroF1())
                .setMicroF1(r.microF1());
        for (ClassificationReport.PerClass c : r.perClass()) {
            b.addPerClass(ClassMetrics.newBuilder().setLabel(c.label()).setPrecision(c.precision())
                    .setRecall(c.recall()).setF1(c.f1()).setSupport(c.support()));
        }
        for (long[] row : r.confusion()) {
            for (long v : row) {
                b.addConfusionMatrix(v);
            }
        }
        return b.build();
    }
}
