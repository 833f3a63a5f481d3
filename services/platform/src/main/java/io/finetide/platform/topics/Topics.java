package io.finetide.platform.topics;

import java.util.List;
import java.util.Map;

/**
 * Every Kafka topic of the platform, in one place. Channel configuration in the services refers to these names through
 * the {@code finetide.topics.*} properties, whose defaults are these constants.
 */
public final class Topics {

    public static final String PREFIX = "finetide.";

    /** Raw examples from producers: JSON (default) or protobuf {@code RawExampleEvent}. */
    public static final String EXAMPLES_RAW = "finetide.examples.raw";
    /** Labels for examples already ingested, from producers and labeling tools: JSON or protobuf {@code RawLabelEvent}. */
    public static final String LABELS = "finetide.labels";
    /** Validated, de-duplicated, stored examples: {@code LabelledExampleEvent}. */
    public static final String EXAMPLES_LABELLED = "finetide.examples.labelled";
    /** Cleaned, split, tokenised examples: {@code PreparedExampleEvent}. */
    public static final String EXAMPLES_PREPARED = "finetide.examples.prepared";
    /** Examples removed on a subject's request: {@code ExamplesDeletedEvent}. */
    public static final String EXAMPLES_DELETED = "finetide.examples.deleted";
    /** Unlabelled examples for the champion to score (active learning): {@code UnlabelledExampleEvent}. */
    public static final String EXAMPLES_UNLABELLED = "finetide.examples.unlabelled";
    /** The champion's distribution for an unlabelled example: {@code ExampleScoredEvent}. */
    public static final String EXAMPLES_SCORED = "finetide.examples.scored";
    /** Task definitions, compacted by task name: {@code TaskDefinitionEvent}. */
    public static final String TASKS = "finetide.tasks";
    /** Dataset snapshots ready for training: {@code DatasetSnapshotEvent}. */
    public static final String DATASETS_SNAPSHOTS = "finetide.datasets.snapshots";
    /** Drift measurements, each saying whether it crossed the task's threshold: {@code DriftEvent}. */
    public static final String DATASETS_DRIFT = "finetide.datasets.drift";
    /** What the served models predicted, per task and window: {@code PredictionStatsEvent}. */
    public static final String PREDICTIONS_STATS = "finetide.predictions.stats";
    /** Delayed ground truth for served predictions, keyed by task: {@code FeedbackEvent}. */
    public static final String FEEDBACK = "finetide.feedback";
    /** Training progress: {@code TrainingProgressEvent}. */
    public static final String TRAINING_PROGRESS = "finetide.training.progress";
    /** Trained candidates: {@code ModelTrainedEvent}. */
    public static final String MODELS_TRAINED = "finetide.models.trained";
    /** Evaluation verdicts: {@code ModelEvaluatedEvent}. */
    public static final String MODELS_EVALUATED = "finetide.models.evaluated";
    /** Promotions, compacted by task name (last record = current champion): {@code ModelPromotedEvent}. */
    public static final String MODELS_PROMOTED = "finetide.models.promoted";
    /** Champions taken out of service and their predecessors restored: {@code ModelRolledBackEvent}. */
    public static final String MODELS_ROLLED_BACK = "finetide.models.rolledback";
    /**
     * Progressive delivery, compacted by task name (last record = the task's rollout now): {@code RolloutEvent}.
     */
    public static final String MODELS_ROLLOUTS = "finetide.models.rollouts";
    /** Trials of hyper-parameter studies, each taken by one training instance: {@code TrialEvent}. */
    public static final String STUDIES_TRIALS = "finetide.studies.trials";
    /** What studies and their trials did: {@code StudyProgressEvent}. */
    public static final String STUDIES_PROGRESS = "finetide.studies.progress";
    /** Requests to distil a task's model into a smaller student, keyed by task: {@code DistillationRequestedEvent}. */
    public static final String DISTILLATIONS_REQUESTED = "finetide.distillations.requested";
    /** Records no service could accept, with the reason in headers (see {@code DeadLetters}). */
    public static final String DEAD_LETTER = "finetide.deadletter";

    /** Topics whose records are keyed by task and only the newest per key matters. */
    public static final List<String> COMPACTED = List.of(TASKS, MODELS_PROMOTED, MODELS_ROLLOUTS);

    public static final List<String> ALL = List.of(EXAMPLES_RAW, LABELS, EXAMPLES_LABELLED, EXAMPLES_PREPARED,
            EXAMPLES_DELETED, EXAMPLES_UNLABELLED, EXAMPLES_SCORED, TASKS, DATASETS_SNAPSHOTS, DATASETS_DRIFT,
            PREDICTIONS_STATS, FEEDBACK, TRAINING_PROGRESS,
            MODELS_TRAINED, MODELS_EVALUATED, MODELS_PROMOTED, MODELS_ROLLED_BACK, MODELS_ROLLOUTS,
            STUDIES_TRIALS, STUDIES_PROGRESS, DISTILLATIONS_REQUESTED, DEAD_LETTER);

    private Topics() {
    }

    /**
     * How long dead letters are kept: a month, for operators to find, fix and replay them; other topics keep the
     * broker's default (a week), compacted ones their newest record per key for ever.
     */
    public static final long DEAD_LETTER_RETENTION_MS = 30L * 24 * 60 * 60 * 1000;

    /**
     * Topic-level configuration the platform applies when it creates a topic, and which the Kubernetes
     * {@code KafkaTopic} resources carry (generated from this).
     */
    public static Map<String, String> configFor(String topic) {
        if (COMPACTED.contains(topic)) {
            return Map.of("cleanup.policy", "compact");
        }
        return topic.equals(DEAD_LETTER) ? Map.of("retention.ms", Long.toString(DEAD_LETTER_RETENTION_MS)) : Map.of();
    }

    /** The same topic set with a suffix, so that each test can have topics of its own. */
    public static String withSuffix(String topic, String suffix) {
        return suffix == null || suffix.isEmpty() ? topic : topic + "." + suffix;
    }

    /** Where configuration finds a topic's name: {@code finetide.examples.raw} is {@code finetide.topic.examples-raw}. */
    public static String configKey(String topic) {
        return CONFIG_PREFIX + topic.substring(PREFIX.length()).replace('.', '-');
    }

    /** The prefix of the configuration properties that name topics (channels refer to them). */
    public static final String CONFIG_PREFIX = "finetide.topic.";

    /** The environment variable whose value every topic name gets as a suffix (isolated test topics). */
    public static final String SUFFIX_ENV = "FINETIDE_TOPIC_SUFFIX";

    /** The properties naming every topic, with {@code suffix} appended (null or empty: the production names). */
    public static java.util.Map<String, String> configProperties(String suffix) {
        java.util.Map<String, String> p = new java.util.HashMap<>();
        for (String topic : ALL) {
            p.put(configKey(topic), withSuffix(topic, suffix));
        }
        return p;
    }
}
