package io.finetide.deployment.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the deployment service ({@code finetide.deployment.*}; environment {@code FINETIDE_DEPLOYMENT_*}). */
@ConfigMapping(prefix = "finetide.deployment")
public interface DeploymentConfig {

    /** TensorFlow threads of each served model. */
    @WithDefault("2")
    int threads();

    /** Most texts accepted in one predict request. */
    @WithDefault("256")
    int maxTextsPerRequest();

    /** Length of the windows over which served predictions are summed up and published for drift monitoring. */
    @WithDefault("10")
    int predictionStatsSeconds();

    /** Registered models other than the champions kept loaded for version-pinned inference requests. */
    @WithDefault("2")
    int pinnedVersionsLoaded();

    /** Feedback events per served model over which live accuracy and macro-F1 are computed. */
    @WithDefault("500")
    int liveWindow();

    /** Automatic rollback of a champion whose live results turn bad; {@code tasks."<task>".*} overrides it. */
    Rollback rollback();

    interface Rollback {

        /** Whether a champion is rolled back automatically (an admin can always do it by hand). */
        @WithDefault("true")
        boolean enabled();

        /** Feedback events on the champion's own predictions before its live accuracy is judged. */
        @WithDefault("200")
        int minFeedback();

        /**
         * How far the champion's live accuracy may fall below its offline test accuracy, or below the previous
         * champion's live accuracy (when that has as much feedback), before the previous champion is restored.
         */
        @WithDefault("0.05")
        double tolerance();

        Map<String, TaskRollback> tasks();
    }

    interface TaskRollback {
        Optional<Boolean> enabled();

        Optional<Integer> minFeedback();

        Optional<Double> tolerance();
    }

    /**
     * How a blessed candidate goes into service; {@code tasks."<task>".*} overrides it for one task. See
     * docs/DELIVERY.md.
     */
    Rollout rollout();

    /** How a blessed candidate goes into service. */
    enum DeliveryMode {
        /** Swapped in at once (a tagging task's candidate always is). */
        IMMEDIATE,
        /** Shadow, then canary, then champion, each stage proven on live traffic and feedback. */
        PROGRESSIVE
    }

    interface Rollout {

        @WithDefault("IMMEDIATE")
        DeliveryMode mode();

        /** Requests the candidate scores in shadow (on this replica) before it may answer any. */
        @WithDefault("200")
        int shadowMinRequests();

        /** Feedback events on requests it scored in shadow before it may answer any. */
        @WithDefault("100")
        int shadowMinFeedback();

        /** Share of requests the candidate answers as a canary, in (0, 1). */
        @WithDefault("0.1")
        double canaryShare();

        /** Requests the canary answers (on this replica) before it may become champion. */
        @WithDefault("200")
        int canaryMinRequests();

        /** Feedback events on the canary's own answers before it may become champion. */
        @WithDefault("100")
        int canaryMinFeedback();

        /**
         * How far the candidate's live accuracy may fall below the champion's (or, while the champion has no
         * feedback, below the candidate's offline test accuracy) before the rollout is aborted.
         */
        @WithDefault("0.02")
        double tolerance();

        Map<String, TaskRollout> tasks();
    }

    interface TaskRollout {
        Optional<DeliveryMode> mode();

        Optional<Integer> shadowMinRequests();

        Optional<Integer> shadowMinFeedback();

        Optional<Double> canaryShare();

        Optional<Integer> canaryMinRequests();

        Optional<Integer> canaryMinFeedback();

        Optional<Double> tolerance();
    }

    /** Dynamic batching of concurrent requests; {@code tasks."<task>".*} overrides it for one task. */
    Batching batching();

    interface Batching {

        /** Whether concurrent requests for a model are queued and run together. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Most texts run together. A request with more texts than this runs alone, as it would without batching.
         */
        @WithDefault("32")
        int maxBatchSize();

        /**
         * How long the first request of a batch may wait for others. Zero batches only what queued up while the
         * previous batch ran, which already gives most of the gain under load and adds nothing when idle.
         */
        @WithDefault("0ms")
        Duration maxQueueDelay();

        /** Most texts waiting per task; past it a request is refused with 429 rather than queued without bound. */
        @WithDefault("2048")
        int queueCapacity();

        /**
         * Batches of a task that run at once. Two keep both cores of a small machine busy when batches are small;
         * more than the cores only makes batches compete.
         */
        @WithDefault("2")
        int concurrency();

        /** Per-task overrides. */
        Map<String, TaskBatching> tasks();
    }

    interface TaskBatching {
        Optional<Boolean> enabled();

        Optional<Integer> maxBatchSize();

        Optional<Duration> maxQueueDelay();

        Optional<Integer> queueCapacity();

        Optional<Integer> concurrency();
    }
}
