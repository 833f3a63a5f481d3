package io.finetide.ingestion.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;

/**
 * The last weak-labeling run of a task: which model combined the votes, how many examples it covered and how each
 * labeling function did.
 *
 * @param model      {@code label-model} or {@code majority-vote}
 * @param modelNote  why the label model was not used although the task asks for it, or null
 * @param weakLabels weakly labelled examples per label
 */
public record WeakLabelReportRecord(String task, String model, String modelNote, int examples, int unlabelled,
        int weaklyLabelled, Map<String, Integer> weakLabels, List<FunctionFigures> functions, long ranAtMs) {

    /**
     * One labeling function's figures.
     *
     * @param labelledExamples  labelled examples it voted on
     * @param empiricalAccuracy its accuracy on those, or null without any
     * @param learnedAccuracy   the accuracy the label model learned for it, or null under majority vote
     */
    public record FunctionFigures(String name, String label, int votes, double coverage, double overlap,
            double conflict, int labelledExamples, Double empiricalAccuracy, Double learnedAccuracy) {

        Document toDocument() {
            return new Document("name", name).append("label", label).append("votes", votes).append("coverage",
                    coverage).append("overlap", overlap).append("conflict", conflict).append("labelledExamples",
                            labelledExamples)
                    .append("empiricalAccuracy", empiricalAccuracy).append(
                            "learnedAccuracy", learnedAccuracy);
        }

        static FunctionFigures of(Document d) {
            return new FunctionFigures(d.getString("name"), d.getString("label"), d.getInteger("votes"), d.getDouble(
                    "coverage"), d.getDouble("overlap"), d.getDouble("conflict"), d.getInteger("labelledExamples"),
                    d
                            .getDouble("empiricalAccuracy"),
                    d.getDouble("learnedAccuracy"));
        }
    }

    public WeakLabelReportRecord {
        weakLabels = new LinkedHashMap<>(weakLabels);
        functions = List.copyOf(functions);
    }

    Document toDocument() {
        return new Document("task", task).append("model", model).append("modelNote", modelNote).append("examples",
                examples).append("unlabelled", unlabelled).append("weaklyLabelled", weaklyLabelled).append(
                        "weakLabels", new Document(new LinkedHashMap<>(weakLabels)))
                .append("functions", functions
                        .stream().map(FunctionFigures::toDocument).toList())
                .append("ranAtMs", ranAtMs);
    }

    static WeakLabelReportRecord of(Document d) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        d.get("weakLabels", Document.class).forEach((k, v) -> counts.put(k, ((Number) v).intValue()));
        return new WeakLabelReportRecord(d.getString("task"), d.getString("model"), d.getString("modelNote"), d
                .getInteger("examples"), d.getInteger("unlabelled"), d.getInteger("weaklyLabelled"), counts,
                d
                        .getList("functions", Document.class).stream().map(FunctionFigures::of).toList(),
                ((Number) d
                        .get("ranAtMs")).longValue());
    }
}
