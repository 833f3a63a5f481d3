package io.finetide.training.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.model.train.TrainingListener;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.tasks.KeyedRegistry;
import io.finetide.runtime.metrics.GaugeValues;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The training service's metrics; every name is in {@code docs/METRICS.md}. The {@code finetide.training.run.*}
 * gauges describe the task's latest run while it trains and keep their last value after it; {@value #RUN_ACTIVE} tells
 * which.
 */
@ApplicationScoped
public class TrainingMetrics {

    /** Finished runs, tags {@code task}, {@code outcome} (completed, failed, skipped). */
    public static final String RUNS = "finetide.training.runs";
    /** Wall time of runs, tags {@code task}, {@code outcome} (completed, failed). */
    public static final String DURATION = "finetide.training.duration";
    /** Optimisation steps taken, tag {@code task}. */
    public static final String STEPS = "finetide.training.steps";
    /** Snapshot events refused, tag {@code reason}. */
    public static final String REJECTED = "finetide.training.snapshots.rejected";
    /** Tasks whose champion this service knows (and would continue training from). */
    public static final String CHAMPIONS = "finetide.training.champions.known";
    /** Runs that continued from a checkpoint of an earlier, killed attempt, tag {@code task}. */
    public static final String RESUMED = "finetide.training.runs.resumed";
    /** Base-model uploads, tag {@code outcome} (created, unchanged, conflict, invalid). */
    public static final String BASE_UPLOADS = "finetide.training.base.models.uploads";
    /** Checkpoints written, tag {@code task}. */
    public static final String CHECKPOINTS = "finetide.training.checkpoints";
    /** 1 while the task's run trains, 0 after; tag {@code task}. */
    public static final String RUN_ACTIVE = "finetide.training.run.active";
    /** Updates done in the task's latest run, tag {@code task}. */
    public static final String RUN_STEP = "finetide.training.run.step";
    /** The epoch the task's latest run is in, tag {@code task}. */
    public static final String RUN_EPOCH = "finetide.training.run.epoch";
    /** Updates done over all updates of the latest run, 0 to 1, tag {@code task}. */
    public static final String RUN_PROGRESS = "finetide.training.run.progress";
    /** Training examples per second of the latest run, tag {@code task}. */
    public static final String RUN_THROUGHPUT = "finetide.training.run.examples.per.second";
    /** Learning rate of the latest update, tag {@code task}. */
    public static final String RUN_LEARNING_RATE = "finetide.training.run.learning.rate";
    /** Mean training loss of the current epoch so far, tag {@code task}. */
    public static final String RUN_TRAIN_LOSS = "finetide.training.run.train.loss";
    /** Validation score after the latest epoch (accuracy, or entity F1 for tagging), tag {@code task}. */
    public static final String RUN_VALIDATION_SCORE = "finetide.training.run.validation.score";
    /** Validation loss after the latest epoch, tag {@code task}. */
    public static final String RUN_VALIDATION_LOSS = "finetide.training.run.validation.loss";
    /** Seconds the latest run still needs at its pace, tag {@code task}. */
    public static final String RUN_ETA = "finetide.training.run.eta.seconds";
    /** Peak memory of the process, tag {@code area} (heap: the JVM heap pools; native: peak resident set). */
    public static final String MEMORY_PEAK = "finetide.training.memory.peak.bytes";

    /**
     * Trials of studies that ended, tags {@code task}, {@code state} (complete, pruned, failed, cancelled; superseded:
     * this instance's end did not count, another had taken the trial over).
     */
    public static final String TRIALS = "finetide.training.study.trials";
    /** Trial events refused, tag {@code reason}. */
    public static final String TRIALS_REJECTED = "finetide.training.trials.rejected";
    /** Studies that ended, tags {@code task}, {@code state} (complete, stopped). */
    public static final String STUDIES = "finetide.training.studies";
    /** Unlabelled-example and deletion events refused, by reason. */
    public static final String EXAMPLES_REJECTED = "finetide.training.examples.rejected";
    /** Unlabelled examples kept for distillation, and removed (deleted examples), by task. */
    public static final String UNLABELLED = "finetide.training.unlabelled.texts";
    /** Distillation requests refused from the topic, by reason. */
    public static final String DISTILLATIONS_REJECTED = "finetide.training.distillations.rejected";
    /** Distillations by what became of them: requested, completed, failed, skipped (a replay). */
    public static final String DISTILLATIONS = "finetide.training.distillations";
    /** The best validation figure of the task's latest study so far, tag {@code task}. */
    public static final String STUDY_BEST = "finetide.training.study.best.value";
    /** 1 while this instance runs a trial of the task's study, 0 after; tag {@code task}. */
    public static final String TRIAL_ACTIVE = "finetide.training.trial.active";

    /** Private runs refused before their first update because they would pass the task's ε budget, tag {@code task}. */
    public static final String PRIVACY_REFUSALS = "finetide.training.privacy.refusals";
    /** The ε a private task's runs have spent so far (composed, at the task's δ), tag {@code task}. */
    public static final String PRIVACY_EPSILON = "finetide.training.privacy.epsilon.spent";

    @Inject
    MeterRegistry registry;

    @Inject
    GaugeValues gauges;

    @PostConstruct
    void init() {
        Gauge.builder(MEMORY_PEAK, TrainingMetrics::peakHeapBytes).tag("area", "heap").baseUnit("bytes")
                .register(registry);
        // Linux's high-water mark of the resident set: the native tensors TensorFlow holds live outside the heap.
        if (Files.isReadable(STATUS)) {
            Gauge.builder(MEMORY_PEAK, TrainingMetrics::peakResidentBytes).tag("area", "native").baseUnit("bytes")
                    .register(registry);
        }
    }

    /** The champions gauge, bound to this instance's registry of champions. */
    private Gauge champions;

    public void watchChampions(KeyedRegistry<?> known) {
        champions = Gauge.builder(CHAMPIONS, known, c -> c.all().size()).register(registry);
    }

    /**
     * A gauge is bound to the object it reads: removed with this bean, so that a service started again in the same
     * JVM (as tests do) binds a new one instead of getting back the old, which reads a registry nobody updates.
     */
    @PreDestroy
    void unwatch() {
        if (champions != null) {
            registry.remove(champions);
        }
    }

    public void runStarted(String task) {
        Tags tags = Tags.of("task", task);
        // Both outcomes exist from the first run on, at 0: a rate or an alert on failures has a series to read.
        registry.counter(RUNS, "task", task, "outcome", "completed");
        registry.counter(RUNS, "task", task, "outcome", "failed");
        gauges.set(RUN_ACTIVE, tags, 1);
        gauges.set(RUN_STEP, tags, 0);
        gauges.set(RUN_PROGRESS, tags, 0);
    }

    public void stepped(String task, TrainingListener.Steps s) {
        Tags tags = Tags.of("task", task);
        gauges.set(RUN_STEP, tags, s.step());
        gauges.set(RUN_EPOCH, tags, s.epoch());
        gauges.set(RUN_PROGRESS, tags, s.fraction());
        gauges.set(RUN_THROUGHPUT, tags, s.examplesPerSecond());
        gauges.set(RUN_LEARNING_RATE, tags, s.learningRate());
        gauges.set(RUN_TRAIN_LOSS, tags, s.trainLoss());
        double eta = s.etaSeconds();
        gauges.set(RUN_ETA, tags, Double.isNaN(eta) ? -1 : eta);
        registry.counter(STEPS, tags).increment();
    }

    public void epochEnded(String task, TrainingListener.Epoch e) {
        Tags tags = Tags.of("task", task);
        gauges.set(RUN_VALIDATION_SCORE, tags, e.validationScore());
        gauges.set(RUN_VALIDATION_LOSS, tags, e.validationLoss());
    }

    public void checkpointed(String task) {
        registry.counter(CHECKPOINTS, "task", task).increment();
    }

    /** A run ended; {@code outcome} completed or failed. */
    public void runEnded(String task, String outcome, long millis) {
        Tags tags = Tags.of("task", task);
        gauges.set(RUN_ACTIVE, tags, 0);
        if (outcome.equals("completed")) {
            gauges.set(RUN_PROGRESS, tags, 1);
            gauges.set(RUN_ETA, tags, 0);
        }
        registry.counter(RUNS, "task", task, "outcome", outcome).increment();
        Timer.builder(DURATION).tags("task", task, "outcome", outcome).register(registry)
                .record(Duration.ofMillis(millis));
    }

    public void skipped(String task) {
        registry.counter(RUNS, "task", task, "outcome", "skipped").increment();
    }

    public void resumed(String task) {
        registry.counter(RESUMED, "task", task).increment();
    }

    public void baseUpload(String outcome) {
        registry.counter(BASE_UPLOADS, "outcome", outcome).increment();
    }

    public void rejected(ReasonCode reason) {
        registry.counter(REJECTED, "reason", reason.tag()).increment();
    }

    public void privacyRefused(String task) {
        registry.counter(PRIVACY_REFUSALS, "task", task).increment();
    }

    public void privacySpent(String task, double epsilon) {
        gauges.set(PRIVACY_EPSILON, Tags.of("task", task), epsilon);
    }

    public void trialStarted(String task) {
        gauges.set(TRIAL_ACTIVE, Tags.of("task", task), 1);
    }

    /** {@code state}: the trial's final state's name. */
    public void trialEnded(String task, String state) {
        gauges.set(TRIAL_ACTIVE, Tags.of("task", task), 0);
        registry.counter(TRIALS, "task", task, "state", state.toLowerCase(java.util.Locale.ROOT)).increment();
    }

    public void studyBest(String task, double value) {
        gauges.set(STUDY_BEST, Tags.of("task", task), value);
    }

    public void studyEnded(String task, String state) {
        registry.counter(STUDIES, "task", task, "state", state.toLowerCase(java.util.Locale.ROOT)).increment();
    }

    /** {@code state}: requested, completed, failed, or skipped (a replayed request). */
    public void distillation(String task, String state) {
        registry.counter(DISTILLATIONS, "task", task, "state", state).increment();
    }

    /** {@code change}: kept or forgotten. */
    public void unlabelled(String task, String change, long count) {
        registry.counter(UNLABELLED, "task", task, "change", change).increment(count);
    }

    public void examplesRejected(ReasonCode reason) {
        registry.counter(EXAMPLES_REJECTED, "reason", reason.tag()).increment();
    }

    public void distillationRejected(ReasonCode reason) {
        registry.counter(DISTILLATIONS_REJECTED, "reason", reason.tag()).increment();
    }

    public void trialRejected(ReasonCode reason) {
        registry.counter(TRIALS_REJECTED, "reason", reason.tag()).increment();
    }

    private static final Path STATUS = Path.of("/proc/self/status");

    static double peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    static double peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
