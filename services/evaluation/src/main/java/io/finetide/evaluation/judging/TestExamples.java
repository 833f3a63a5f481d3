package io.finetide.evaluation.judging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import io.finetide.model.metrics.ClassificationReport;
import io.finetide.model.metrics.EntityF1;
import io.finetide.proto.v1.ClassMetrics;
import io.finetide.proto.v1.Metrics;

/**
 * The examples a verdict is reached on (the golden test set first, then the recent test set's others) and their
 * truth. Every figure is computed from predictions on a set of example positions, so that the golden set, the recent
 * set, a slice and a bootstrap resample are all scored the same way.
 */
public final class TestExamples {

    private final List<JudgedExample> examples;
    private final List<String> labels;
    private final boolean tagging;
    private final int[] expected;

    /**
     * @param labels the models' label (or tag) names
     * @throws IllegalArgumentException when a test label is unknown to the models
     */
    public TestExamples(List<JudgedExample> examples, List<String> labels, boolean tagging) {
        this.examples = List.copyOf(examples);
        this.labels = List.copyOf(labels);
        this.tagging = tagging;
        this.expected = new int[examples.size()];
        for (int i = 0; i < expected.length && !tagging; i++) {
            expected[i] = labels.indexOf(examples.get(i).label());
            if (expected[i] < 0) {
                throw new IllegalArgumentException("test label '" + examples.get(i).label() + "' unknown to the model");
            }
        }
    }

    public List<JudgedExample> all() {
        return examples;
    }

    public boolean tagging() {
        return tagging;
    }

    public List<String> labels() {
        return labels;
    }

    public int[] expected() {
        return expected;
    }

    public int[] golden() {
        return IntStream.range(0, examples.size()).filter(i -> examples.get(i).golden()).toArray();
    }

    public int[] recent() {
        return IntStream.range(0, examples.size()).filter(i -> !examples.get(i).golden()).toArray();
    }

    /** The positions of each value of metadata key {@code key}, values in order; examples without it are left out. */
    public Map<String, int[]> slices(String key) {
        Map<String, List<Integer>> by = new TreeMap<>();
        for (int i = 0; i < examples.size(); i++) {
            String v = examples.get(i).metadata().get(key);
            if (v != null) {
                by.computeIfAbsent(v, k -> new ArrayList<>()).add(i);
            }
        }
        Map<String, int[]> out = new TreeMap<>();
        by.forEach((v, list) -> out.put(v, list.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    /** The gate's figure on {@code positions} (repeats allowed): macro-F1, or entity F1 for tagging. */
    public double figure(Predictions p, int[] positions) {
        if (tagging) {
            return EntityF1.of(pick(truthTags(), positions), pick(p.tags(), positions)).f1();
        }
        return report(p, positions).macroF1();
    }

    /** Share of examples right (tagging: words right). */
    public double accuracy(Predictions p, int[] positions) {
        return metrics(p, positions).getAccuracy();
    }

    /** Per position, whether the model got the example right (tagging: every tag of the sentence). */
    public boolean[] correct(Predictions p, int[] positions) {
        boolean[] out = new boolean[positions.length];
        for (int k = 0; k < positions.length; k++) {
            int i = positions[k];
            out[k] = tagging ? p.tags().get(i).equals(examples.get(i).tags()) : p.labels()[i] == expected[i];
        }
        return out;
    }

    /**
     * The event form of the figures on {@code positions}. For tagging, {@code accuracy} is the share of words tagged
     * right, {@code micro_f1} the entity-level F1 over all entities (seqeval's), {@code macro_*} the means over entity
     * types and {@code per_class} one row per entity type (support: its true entities).
     */
    public Metrics metrics(Predictions p, int[] positions) {
        return tagging
                ? tagMetrics(pick(truthTags(), positions), pick(p.tags(), positions))
                : toEvent(report(p,
                        positions));
    }

    private ClassificationReport report(Predictions p, int[] positions) {
        int[] truth = new int[positions.length];
        int[] predicted = new int[positions.length];
        for (int k = 0; k < positions.length; k++) {
            truth[k] = expected[positions[k]];
            predicted[k] = p.labels()[positions[k]];
        }
        return ClassificationReport.of(truth, predicted, labels);
    }

    private List<List<String>> truthTags() {
        return examples.stream().map(JudgedExample::tags).toList();
    }

    private static <T> List<T> pick(List<T> all, int[] positions) {
        List<T> out = new ArrayList<>(positions.length);
        for (int i : positions) {
            out.add(all.get(i));
        }
        return out;
    }

    static Metrics tagMetrics(List<List<String>> truth, List<List<String>> predicted) {
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
                : right / (double) total).setMicroF1(f.f1());
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        for (var e : f.perType().entrySet()) {
            b.addPerClass(ClassMetrics.newBuilder().setLabel(e.getKey()).setPrecision(e.getValue().precision())
                    .setRecall(e.getValue().recall()).setF1(e.getValue().f1()).setSupport(e.getValue().support()));
            precision += e.getValue().precision();
            recall += e.getValue().recall();
            f1 += e.getValue().f1();
        }
        int types = Math.max(1, f.perType().size());
        return b.setMacroPrecision(precision / types).setMacroRecall(recall / types).setMacroF1(f1 / types).build();
    }

    static Metrics toEvent(ClassificationReport r) {
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
