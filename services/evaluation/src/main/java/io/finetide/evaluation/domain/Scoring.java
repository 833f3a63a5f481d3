package io.finetide.evaluation.domain;

import java.util.List;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.metrics.ClassificationReport;
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
