package io.finetide.evaluation.judging;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.finetide.platform.datasets.SnapshotFile;

/**
 * A test example as the gate judges it: its text (a tagging task's words joined by spaces) and a text-pair task's
 * second text (else empty), its true label or tags, the metadata it may be sliced by, and whether it belongs to the
 * golden or the recent test set.
 */
public record JudgedExample(String id, String text, String textPair, String label, List<String> words,
        List<String> tags,
        Map<String, String> metadata, boolean golden) {

    public static JudgedExample of(SnapshotFile.Row row, boolean golden) {
        List<String> words = row.tokens().isEmpty()
                ? Arrays.stream(row.text().strip().split("\\s+")).filter(w -> !w.isEmpty()).toList()
                : row.tokens();
        return new JudgedExample(row.id(), row.text(), row.textPair(), row.label(), words, row.tags(), row.metadata(),
                golden);
    }
}
