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
