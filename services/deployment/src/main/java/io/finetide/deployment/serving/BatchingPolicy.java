package io.finetide.deployment.serving;

import java.time.Duration;

import io.finetide.deployment.config.DeploymentConfig;

/** The batching settings in effect for one task: the service's, with the task's overrides. */
public record BatchingPolicy(boolean enabled, int maxBatchSize, Duration maxQueueDelay, int queueCapacity,
        int concurrency) {

    public BatchingPolicy {
        if (maxBatchSize < 1 || queueCapacity < 1 || concurrency < 1 || maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("batching needs a batch size, queue capacity and concurrency of at "
                    + "least 1 and a delay of at least 0: " + maxBatchSize + ", " + queueCapacity + ", "
                    + concurrency + ", " + maxQueueDelay);
        }
    }

    static BatchingPolicy of(DeploymentConfig.Batching service, String task) {
        DeploymentConfig.TaskBatching own = service.tasks().get(task);
        if (own == null) {
            return new BatchingPolicy(service.enabled(), service.maxBatchSize(), service.maxQueueDelay(), service
                    .queueCapacity(), service.concurrency());
        }
        return new BatchingPolicy(own.enabled().orElse(service.enabled()), own.maxBatchSize().orElse(service
                .maxBatchSize()), own.maxQueueDelay().orElse(service.maxQueueDelay()), own.queueCapacity().orElse(
                        service.queueCapacity()),
                own.concurrency().orElse(service.concurrency()));
    }
}
