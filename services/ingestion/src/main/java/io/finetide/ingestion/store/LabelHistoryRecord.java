package io.finetide.ingestion.store;

/**
 * One label an example was given, with what became of it.
 *
 * @param outcome what the label did: decided, voted, duplicate or conflict
 */
public record LabelHistoryRecord(String label, String annotator, String outcome, long atMs) {
}
