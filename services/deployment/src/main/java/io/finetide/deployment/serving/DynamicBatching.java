package io.finetide.deployment.serving;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.metrics.DeploymentMetrics;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.Tagger;

/**
 * Serving requests through dynamic batching: concurrent requests for the same task's champion wait in a bounded queue
 * and run together (see {@link BatchQueue}); a task whose batching is off is answered on the caller's thread. The
 * queues are made on a served task's first request (a task without a model is answered at once, so that a URL
 * segment never makes a queue) and keep the settings they were made with.
 */
@ApplicationScoped
public class DynamicBatching {

    @Inject
    ServingModels serving;

    @Inject
    DeploymentConfig config;

    @Inject
    DeploymentMetrics metrics;

    private final Map<String, BatchQueue<ServedText, Classifier.Prediction>> predictQueues = new ConcurrentHashMap<>();
    private final Map<String, BatchQueue<List<String>, Tagger.Tagged>> tagQueues = new ConcurrentHashMap<>();

    public BatchingPolicy policy(String task) {
        return BatchingPolicy.of(config.batching(), task);
    }

    /**
     * The champion's predictions, empty when the task has none.
     *
     * @throws QueueFullException when the task's queue is full
     * @throws ServedModel.WrongKindException when the champion tags words
     */
    public Optional<ServingModels.Answer> predict(String task, List<ServedText> texts) {
        BatchingPolicy policy = policy(task);
        if (!policy.enabled() || serving.servedModelId(task).isEmpty()) {
            return serving.predict(task, texts);
        }
        BatchQueue<ServedText, Classifier.Prediction> queue = predictQueues.computeIfAbsent(task, t -> queue(t,
                "predict", policy, items -> serving.predict(t, items).map(a -> new BatchQueue.Answered<>(a
                        .modelId(), a.version(), a.labels(), a.predictions()))));
        return await(queue.submit(texts)).map(a -> new ServingModels.Answer(a.modelId(), a.version(), a.labels(),
                a.results()));
    }

    /**
     * The champion's tags, empty when the task has none.
     *
     * @throws QueueFullException when the task's queue is full
     * @throws ServedModel.WrongKindException when the champion labels texts
     */
    public Optional<ServingModels.Tags> tag(String task, List<List<String>> words) {
        BatchingPolicy policy = policy(task);
        if (!policy.enabled() || serving.servedModelId(task).isEmpty()) {
            return serving.tag(task, words);
        }
        BatchQueue<List<String>, Tagger.Tagged> queue = tagQueues.computeIfAbsent(task, t -> queue(t, "tag", policy,
                items -> serving.tag(t, items).map(a -> new BatchQueue.Answered<>(a.modelId(), a.version(), List
                        .of(), a.results()))));
        return await(queue.submit(words)).map(a -> new ServingModels.Tags(a.modelId(), a.version(), a.results()));
    }

    private <I, O> BatchQueue<I, O> queue(String task, String endpoint, BatchingPolicy policy,
            java.util.function.Function<List<I>, Optional<BatchQueue.Answered<O>>> model) {
        BatchQueue<I, O> queue = new BatchQueue<>(task + "-" + endpoint, policy, model, (texts, requests,
                wait) -> metrics.batchRan(task, endpoint, texts, requests, wait));
        metrics.batchQueue(task, endpoint, queue, BatchQueue::waitingItems);
        return queue;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    @PreDestroy
    void close() {
        predictQueues.values().forEach(BatchQueue::close);
        tagQueues.values().forEach(BatchQueue::close);
    }
}
