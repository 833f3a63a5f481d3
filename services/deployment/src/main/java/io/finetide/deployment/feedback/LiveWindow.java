package io.finetide.deployment.feedback;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One served model's live quality: the last {@code size} feedback events on its predictions, each counted once
 * however often it is replayed (the ids of the last {@code 20 × size} are remembered).
 */
final class LiveWindow {

    /** How a feedback event was taken. */
    enum Outcome {
        CORRECT, INCORRECT, DUPLICATE;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The window's figures: {@code feedback} events in it, of {@code taken} since the start; {@code macroF1} over the
     * labels seen in the window, as predictions or as truth.
     */
    record Figures(int feedback, long taken, double accuracy, double macroF1) {
    }

    private record Judged(String predicted, String truth) {
    }

    private final int size;
    private final Deque<Judged> window = new ArrayDeque<>();
    private final Set<String> seen = new LinkedHashSet<>();
    private long taken;

    LiveWindow(int size) {
        this.size = size;
    }

    synchronized Outcome add(PredictionId prediction, String truth) {
        if (!seen.add(prediction.encoded())) {
            return Outcome.DUPLICATE;
        }
        if (seen.size() > 20 * size) {
            Iterator<String> oldest = seen.iterator();
            oldest.next();
            oldest.remove();
        }
        taken++;
        window.addLast(new Judged(prediction.label(), truth));
        if (window.size() > size) {
            window.removeFirst();
        }
        return prediction.label().equals(truth) ? Outcome.CORRECT : Outcome.INCORRECT;
    }

    synchronized Figures figures() {
        if (window.isEmpty()) {
            return new Figures(0, 0, Double.NaN, Double.NaN);
        }
        int correct = 0;
        Map<String, int[]> counts = new HashMap<>(); // label -> {true positives, predicted, actual}
        for (Judged j : window) {
            if (j.predicted().equals(j.truth())) {
                correct++;
                counts.computeIfAbsent(j.truth(), k -> new int[3])[0]++;
            }
            counts.computeIfAbsent(j.predicted(), k -> new int[3])[1]++;
            counts.computeIfAbsent(j.truth(), k -> new int[3])[2]++;
        }
        double f1 = 0;
        for (String label : new TreeSet<>(counts.keySet())) {
            int[] c = counts.get(label);
            f1 += c[1] + c[2] == 0 ? 0 : 2.0 * c[0] / (c[1] + c[2]);
        }
        return new Figures(window.size(), taken, (double) correct / window.size(), f1 / counts.size());
    }
}
