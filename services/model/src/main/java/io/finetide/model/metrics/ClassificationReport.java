package io.finetide.model.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Accuracy, per-class precision/recall/F1, their macro averages, micro F1 and the confusion matrix; the definitions of
 * scikit-learn's {@code classification_report} with {@code zero_division=0}.
 */
public record ClassificationReport(long examples, double accuracy, double macroPrecision, double macroRecall,
        double macroF1, double microF1, List<PerClass> perClass, long[][] confusion) {

    public record PerClass(String label, double precision, double recall, double f1, long support) {
    }

    public static ClassificationReport of(int[] truth, int[] predicted, List<String> labels) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("truth and predictions differ in length");
        }
        int k = labels.size();
        long[][] confusion = new long[k][k];
        long correct = 0;
        for (int i = 0; i < truth.length; i++) {
            confusion[truth[i]][predicted[i]]++;
            if (truth[i] == predicted[i]) {
                correct++;
            }
        }
        List<PerClass> perClass = new ArrayList<>();
        double sp = 0, sr = 0, sf = 0;
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long predictedC = 0, actualC = 0;
            for (int j = 0; j < k; j++) {
                predictedC += confusion[j][c];
                actualC += confusion[c][j];
            }
            double p = predictedC == 0 ? 0 : tp / (double) predictedC;
            double r = actualC == 0 ? 0 : tp / (double) actualC;
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            perClass.add(new PerClass(labels.get(c), p, r, f, actualC));
            sp += p;
            sr += r;
            sf += f;
        }
        double accuracy = truth.length == 0 ? 0 : correct / (double) truth.length;
        // Single-label multi-class: micro precision = micro recall = micro F1 = accuracy.
        return new ClassificationReport(truth.length, accuracy, sp / k, sr / k, sf / k, accuracy, perClass, confusion);
    }
}
