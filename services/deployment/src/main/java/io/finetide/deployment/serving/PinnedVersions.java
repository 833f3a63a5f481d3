package io.finetide.deployment.serving;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.store.ModelRecord;

/**
 * Registered models other than the champion, loaded on the first request that names their version and kept while
 * recently used (at most {@link DeploymentConfig#pinnedVersionsLoaded()}), so that a client can compare or pin a
 * version. Requests to them are not batched: they are for audits and comparisons, not for the serving load.
 */
@ApplicationScoped
public class PinnedVersions {

    @Inject
    ModelLoader loader;

    @Inject
    DeploymentConfig config;

    /** Least recently used first. */
    private final LinkedHashMap<String, ServedModel> loaded = new LinkedHashMap<>(4, 0.75f, true);

    /**
     * The predictions of {@code model}.
     *
     * @throws ServedModel.WrongKindException when the model tags words
     */
    public ServingModels.Answer predict(ModelRecord model, List<ServedText> texts) {
        ServedModel served = acquire(model);
        try {
            return new ServingModels.Answer(served.modelId(), served.version(), served.labels(), served.predict(
                    texts));
        } finally {
            served.release();
        }
    }

    /** The model's labels (or tags), loading it if needed. */
    public List<String> labels(ModelRecord model) {
        return use(model, ServedModel::labels);
    }

    /** What the model answers, loading it if needed. */
    public ServedModel.Kind kind(ModelRecord model) {
        return use(model, ServedModel::kind);
    }

    private <T> T use(ModelRecord model, java.util.function.Function<ServedModel, T> call) {
        ServedModel served = acquire(model);
        try {
            return call.apply(served);
        } finally {
            served.release();
        }
    }

    private synchronized ServedModel acquire(ModelRecord model) {
        ServedModel served = loaded.get(model.modelId());
        if (served == null) {
            served = loader.load(model);
            loaded.put(model.modelId(), served);
            evictBeyond(config.pinnedVersionsLoaded());
        }
        // The cache holds a reference while it lists the model, so this cannot fail under the lock.
        served.tryAcquire();
        return served;
    }

    private void evictBeyond(int capacity) {
        Iterator<Map.Entry<String, ServedModel>> eldest = loaded.entrySet().iterator();
        while (loaded.size() > Math.max(capacity, 1) && eldest.hasNext()) {
            ServedModel m = eldest.next().getValue();
            eldest.remove();
            m.release();
        }
    }

    @PreDestroy
    synchronized void close() {
        loaded.values().forEach(ServedModel::release);
        loaded.clear();
    }
}
