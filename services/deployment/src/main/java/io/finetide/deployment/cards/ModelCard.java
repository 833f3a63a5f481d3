package io.finetide.deployment.cards;

import java.util.List;

/**
 * A model card (Mitchell et al., 2019) for one registered model: what it is for, what it learnt from and where that
 * data came from, how it was judged and why it was (or was not) promoted, what it does badly, and the privacy policy
 * its data went through, and what serving it costs. Built from the registry's record and the verdict's report; served
 * as JSON and Markdown.
 *
 * @param cost null for a verdict from before costs were measured
 */
public record ModelCard(String modelId, String task, int version, String stage, long createdAtMs,
        IntendedUse intendedUse, Training training, Evaluation evaluation, List<String> limitations,
        Privacy privacy, Cost cost) {

    /**
     * A model's size and speed as its evaluation measured them.
     *
     * @param latencyMsP50      one example per call, median
     * @param batchMsPerExample the test set in batches, per example
     */
    public record Size(long parameters, long bundleBytes, double latencyMsP50, double latencyMsP95,
            double batchMsPerExample) {
    }

    /**
     * @param champion        the champion's, measured beside the model's in the same evaluation; null without one
     * @param championModelId empty without a champion
     */
    public record Cost(Size model, Size champion, String championModelId) {
    }

    /**
     * @param maxTokens  longer texts are cut to this many tokens
     * @param truncation which end of a long text is kept
     */
    public record IntendedUse(String taskType, List<String> labels, String description, int maxTokens,
            String truncation, List<String> outOfScope) {
    }

    public record Source(String topic, int partition, long firstOffset, long lastOffset, long examples) {
    }

    public record Epoch(int epoch, double trainLoss, double validationLoss, double validationScore) {
    }

    /** @param parentModelId the model it continued from; empty when trained from the base */
    public record Training(String baseModel, String parentModelId, String snapshotId, long trainExamples,
            List<Source> sources, List<String> triggerReasons, String hyperParameters, int bestEpoch,
            List<Epoch> history, long trainingMillis) {
    }

    public record ClassFigures(String label, double precision, double recall, double f1, long support) {
    }

    public record SliceFigures(String key, String value, long examples, double candidate, double champion,
            boolean gated) {
    }

    /** Against the champion of the time, on the golden test set; null for a first model. */
    public record Comparison(String championModelId, double championFigure, double difference, double lower,
            double upper, double confidence, double mcnemarPValue) {
    }

    public record Robustness(String perturbation, long examples, double flipRate, double championFlipRate) {
    }

    public record Calibration(double temperature, double ece, double eceUncalibrated, double brier,
            double logLoss) {
    }

    public record Rule(String rule, boolean passed, boolean gating, String detail) {
    }

    /**
     * @param figure      the gate's figure (macro_f1, entity_f1)
     * @param confusion   rows true label, columns predicted, in label order (empty for a tagger)
     * @param calibration null for a tagger
     */
    public record Evaluation(String testSet, String figure, double figureValue, double accuracy,
            List<ClassFigures> perClass, List<List<Long>> confusion, List<SliceFigures> slices,
            Comparison comparison, List<Robustness> robustness, Calibration calibration, String policy,
            boolean blessed, String decidingRule, String reason, List<Rule> rules, String triggeredBy) {
    }

    /**
     * @param differentialPrivacy for a model trained with DP-SGD: its run's guarantee and its task's spend; null
     *                            otherwise
     */
    public record Privacy(boolean redactPii, List<String> piiTypes, DifferentialPrivacy differentialPrivacy,
            String statement) {
    }

    /**
     * The (ε, δ) guarantee of the run that trained the model, and the task's ε over all its runs (composed) against
     * its budget.
     */
    public record DifferentialPrivacy(double epsilon, double delta, double taskEpsilon, double epsilonBudget,
            double noiseMultiplier, double samplingRate, long steps, double clipNorm) {
    }
}
