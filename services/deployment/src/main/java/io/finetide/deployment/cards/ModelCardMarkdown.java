package io.finetide.deployment.cards;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** A model card as Markdown, for people and for repositories that keep cards beside models. */
public final class ModelCardMarkdown {

    private ModelCardMarkdown() {
    }

    public static String render(ModelCard c) {
        StringBuilder b = new StringBuilder();
        b.append("# Model card: ").append(c.modelId()).append("\n\n");
        b.append(String.format(Locale.ROOT, "Task `%s`, version %d, %s; registered %s.%n%n", c.task(), c.version(), c
                .stage().toLowerCase(Locale.ROOT), Instant.ofEpochMilli(c.createdAtMs())));

        ModelCard.IntendedUse u = c.intendedUse();
        b.append("## Intended use\n\n").append(u.description()).append("\n\nOut of scope:\n\n");
        u.outOfScope().forEach(s -> b.append("- ").append(s).append('\n'));

        ModelCard.Training t = c.training();
        b.append("\n## Training data and lineage\n\n");
        b.append(String.format(Locale.ROOT, "- Base model `%s`%s; snapshot `%s`, %,d training examples.%n", t
                .baseModel(),
                t.parentModelId().isEmpty()
                        ? ""
                        : ", continued from `" + t.parentModelId() + "`",
                t.snapshotId(), t.trainExamples()));
        for (ModelCard.Source s : t.sources()) {
            b.append(String.format(Locale.ROOT, "- From `%s` partition %d, offsets %d to %d (%,d examples).%n", s
                    .topic(), s.partition(), s.firstOffset(), s.lastOffset(), s.examples()));
        }
        if (!t.triggerReasons().isEmpty()) {
            b.append("- Snapshot made because: ").append(String.join("; ", t.triggerReasons())).append(".\n");
        }
        b.append("- Hyper-parameters: `").append(t.hyperParameters()).append("`; best epoch ").append(t.bestEpoch())
                .append(".\n");
        if (!t.history().isEmpty()) {
            b.append("\n| epoch | training loss | validation loss | validation score |\n|---|---|---|---|\n");
            t.history().forEach(e -> b.append(String.format(Locale.ROOT, "| %d | %.4f | %.4f | %.4f |%n", e.epoch(), e
                    .trainLoss(), e.validationLoss(), e.validationScore())));
        }

        ModelCard.Evaluation e = c.evaluation();
        String figure = e.figure().equals("entity_f1") ? "entity F1" : "macro-F1";
        b.append("\n## Evaluation\n\n");
        b.append(String.format(Locale.ROOT, "On the %s: %s %.4f, accuracy %.4f.%n", e.testSet(), figure, e
                .figureValue(), e.accuracy()));
        if (e.comparison() != null) {
            ModelCard.Comparison k = e.comparison();
            b.append(String.format(Locale.ROOT, "Against champion `%s` (%s %.4f): difference %+.4f, %.0f%% interval "
                    + "[%+.4f, %+.4f], McNemar p = %.4f.%n", k.championModelId(), figure, k.championFigure(),
                    k
                            .difference(),
                    100 * k.confidence(), k.lower(), k.upper(), k.mcnemarPValue()));
        }
        b.append("\n| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n");
        e.perClass().forEach(p -> b.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %d |%n", p
                .label(), p.precision(), p.recall(), p.f1(), p.support())));
        if (!e.confusion().isEmpty()) {
            List<String> labels = e.perClass().stream().map(ModelCard.ClassFigures::label).toList();
            b.append("\nConfusion matrix (rows: true label, columns: predicted):\n\n| |");
            labels.forEach(l -> b.append(' ').append(l).append(" |"));
            b.append("\n|---|").append("---|".repeat(labels.size())).append('\n');
            for (int i = 0; i < e.confusion().size(); i++) {
                b.append("| ").append(labels.get(i)).append(" |");
                e.confusion().get(i).forEach(v -> b.append(' ').append(v).append(" |"));
                b.append('\n');
            }
        }
        if (!e.slices().isEmpty()) {
            b.append("\n| slice | examples | ").append(figure)
                    .append(" | champion's | gated |\n|---|---|---|---|---|\n");
            e.slices().forEach(s -> b.append(String.format(Locale.ROOT, "| %s=%s | %d | %.4f | %.4f | %s |%n", s.key(),
                    s.value(), s.examples(), s.candidate(), s.champion(), s.gated() ? "yes" : "no")));
        }
        if (!e.robustness().isEmpty()) {
            b.append("\n| perturbation | examples | flip rate | champion's |\n|---|---|---|---|\n");
            e.robustness().forEach(p -> b.append(String.format(Locale.ROOT, "| %s | %d | %.1f%% | %.1f%% |%n", p
                    .perturbation(), p.examples(), 100 * p.flipRate(), 100 * p.championFlipRate())));
        }
        if (e.calibration() != null) {
            ModelCard.Calibration k = e.calibration();
            b.append(String.format(Locale.ROOT, "%nCalibration: temperature %.3f; expected calibration error %.4f "
                    + "(%.4f before the temperature), Brier score %.4f, log-loss %.4f.%n", k.temperature(), k.ece(),
                    k
                            .eceUncalibrated(),
                    k.brier(), k.logLoss()));
        }
        b.append(String.format(Locale.ROOT, "%n## The gate's decision%n%n%s under policy %s (deciding rule %s), "
                + "triggered by the %s.%n%n", e.blessed() ? "Promoted" : "Not promoted", e.policy(), e.decidingRule(),
                e
                        .triggeredBy()));
        e.rules().forEach(r -> b.append(String.format(Locale.ROOT, "- %s **%s**: %s%n", r.gating()
                ? r.passed() ? "passed" : "FAILED"
                : "reported", r.rule(), r.detail())));

        b.append("\n## Limitations\n\n");
        c.limitations().forEach(l -> b.append("- ").append(l).append('\n'));
        if (c.cost() != null) {
            b.append(
                    "\n## Size and speed\n\nMeasured by its evaluation on one machine, the champion's beside it on the "
                            + "same test examples (compare the two as ratios):\n\n| model | parameters | bundle | one example "
                            + "(median, p95) | in batches |\n|---|---|---|---|---|\n");
            size(b, c.modelId(), c.cost().model());
            if (c.cost().champion() != null) {
                size(b, c.cost().championModelId() + " (champion)", c.cost().champion());
            }
        }
        b.append("\n## Privacy\n\n").append(c.privacy().statement()).append('\n');
        return b.toString();
    }

    private static void size(StringBuilder b, String name, ModelCard.Size s) {
        b.append(String.format(Locale.ROOT, "| %s | %,d | %.1f MB | %.2f ms, %.2f ms | %.3f ms per example |%n", name, s
                .parameters(), s.bundleBytes() / 1e6, s.latencyMsP50(), s.latencyMsP95(), s.batchMsPerExample()));
    }
}
