package io.finetide.ingestion.labeling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.ingestion.store.LabelingFunctionRecord;
import io.finetide.ingestion.store.LabelingStore;
import io.finetide.ingestion.store.WeakLabelReportRecord;
import io.finetide.ingestion.tasks.TaskService;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.WeakLabelModel;

/**
 * Rules in the loop: a task's labeling functions vote on its examples; a run combines the votes (majority vote, or
 * the label model that learns each function's accuracy from their agreements), stores a weak label with its
 * confidence on each unlabelled example the functions cover, and reports per function coverage, overlap, conflict,
 * accuracy on the examples people labelled, and the accuracy the label model learned. Weak labels live in their own
 * field: they never become an example's label, never release it downstream, and the labeling page shows them as a
 * hint only.
 */
@ApplicationScoped
public class WeakSupervision {

    /** The label model needs three overlapping functions to tell accurate ones from inaccurate ones. */
    public static final int LABEL_MODEL_MIN_FUNCTIONS = 3;

    @Inject
    TaskService tasks;

    @Inject
    LabelingStore store;

    @Inject
    IngestionMetrics metrics;

    /** @return true when it replaced a function of that name */
    public boolean put(String taskName, String name, String kind, List<String> patterns, String label,
            boolean caseSensitive) {
        TaskDefinitionEvent task = task(taskName);
        LabelingFunction f;
        try {
            f = LabelingFunction.of(name, kind, patterns, label, caseSensitive, task.getLabelsList());
        } catch (IllegalArgumentException e) {
            throw new RejectedException(ReasonCode.INVALID_LABELING_FUNCTION, e.getMessage());
        }
        boolean existed = store.functions(taskName).stream().anyMatch(d -> name.equals(d.name()));
        store.putFunction(taskName, new LabelingFunctionRecord(name, f.kind().name(), f.patterns(), f.label(), f
                .caseSensitive(), System.currentTimeMillis()));
        return existed;
    }

    public boolean delete(String taskName, String name) {
        task(taskName);
        return store.deleteFunction(taskName, name);
    }

    public List<LabelingFunctionRecord> list(String taskName) {
        task(taskName);
        return store.functions(taskName);
    }

    public synchronized WeakLabelReportRecord run(String taskName) {
        TaskDefinitionEvent task = task(taskName);
        List<LabelingFunction> functions = new ArrayList<>();
        for (LabelingFunctionRecord d : store.functions(taskName)) {
            functions.add(LabelingFunction.of(d.name(), d.kind(), d.patterns(), d.label(), d.caseSensitive(), task
                    .getLabelsList()));
        }
        if (functions.isEmpty()) {
            throw new RejectedException(ReasonCode.INVALID_LABELING_FUNCTION, "task '" + taskName
                    + "' has no labeling functions");
        }
        List<String> labels = task.getLabelsList();
        List<String> ids = new ArrayList<>();
        List<int[]> rows = new ArrayList<>();
        List<Integer> gold = new ArrayList<>();
        store.forEachExample(taskName, d -> {
            String text = d.text();
            String label = d.label();
            int[] row = new int[functions.size()];
            for (int j = 0; j < row.length; j++) {
                String v = functions.get(j).vote(text);
                row[j] = v == null ? LabelModel.ABSTAIN : labels.indexOf(v);
            }
            ids.add(d.exampleId());
            rows.add(row);
            gold.add(label == null || label.isEmpty() ? LabelModel.ABSTAIN : labels.indexOf(label));
        });
        int[][] votes = rows.toArray(new int[0][]);
        int[] goldArray = gold.stream().mapToInt(Integer::intValue).toArray();
        boolean learn = task.getLabeling().getWeakLabelModel() != WeakLabelModel.MAJORITY_VOTE
                && functions.size() >= LABEL_MODEL_MIN_FUNCTIONS;
        LabelModel model = learn
                ? LabelModel.fit(votes, goldArray, labels.size(), functions.size())
                : LabelModel.majority(labels.size(), functions.size());
        String modelName = learn ? "label-model" : "majority-vote";

        Map<String, Integer> weakCounts = new LinkedHashMap<>();
        Map<String, LabelingStore.WeakLabel> weakLabels = new LinkedHashMap<>();
        int unlabelled = 0;
        for (int i = 0; i < votes.length; i++) {
            if (gold.get(i) != LabelModel.ABSTAIN) {
                continue;
            }
            unlabelled++;
            LabelModel.Decision d = model.predict(votes[i]);
            if (d.label() == LabelModel.ABSTAIN) {
                weakLabels.put(ids.get(i), null);
            } else {
                String label = labels.get(d.label());
                weakLabels.put(ids.get(i), new LabelingStore.WeakLabel(label, d.confidence(), modelName));
                weakCounts.merge(label, 1, Integer::sum);
            }
        }
        store.weakLabels(taskName, weakLabels);
        List<VoteSummary.FunctionStats> stats = VoteSummary.of(votes, goldArray, functions.size());
        double[] learned = model.accuracies();
        List<WeakLabelReportRecord.FunctionFigures> perFunction = new ArrayList<>();
        for (int j = 0; j < functions.size(); j++) {
            VoteSummary.FunctionStats s = stats.get(j);
            perFunction.add(new WeakLabelReportRecord.FunctionFigures(functions.get(j).name(), functions.get(j)
                    .label(), s.votes(), s.coverage(), s.overlap(), s.conflict(), s.withGold(),
                    Double.isNaN(s
                            .empiricalAccuracy()) ? null : s.empiricalAccuracy(),
                    learn ? learned[j] : null));
        }
        int covered = weakCounts.values().stream().mapToInt(Integer::intValue).sum();
        String note = learn || task.getLabeling().getWeakLabelModel() == WeakLabelModel.MAJORITY_VOTE
                ? null
                : "the label model needs at least " + LABEL_MODEL_MIN_FUNCTIONS + " functions";
        WeakLabelReportRecord report = new WeakLabelReportRecord(taskName, modelName, note, votes.length, unlabelled,
                covered, weakCounts, perFunction, System.currentTimeMillis());
        store.putWeakReport(report);
        metrics.weakLabelled(covered);
        return report;
    }

    public WeakLabelReportRecord report(String taskName) {
        task(taskName);
        return store.weakReport(taskName).orElseThrow(() -> new RejectedException(ReasonCode.NOT_FOUND,
                "no weak-label run for task '" + taskName + "' yet"));
    }

    private TaskDefinitionEvent task(String name) {
        TaskDefinitionEvent task = tasks.require(name);
        if (task.getType() == io.finetide.proto.v1.TaskType.TOKEN_CLASSIFICATION) {
            throw new RejectedException(ReasonCode.INVALID_LABELING_FUNCTION, "labeling functions vote a label for a "
                    + "whole text; task '" + name + "' tags tokens");
        }
        return task;
    }
}
