package io.finetide.deployment.domain;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.finetide.model.infer.Classifier;

/**
 * A loaded model with a reference count, so that a swap never closes a model under a request that is using it: the
 * serving slot holds one reference, each request one more; the last release closes the TensorFlow session.
 */
public final class ServedModel {

    private final String modelId;
    private final int version;
    private final Classifier classifier;
    private final AtomicInteger references = new AtomicInteger(1);

    public ServedModel(String modelId, int version, Classifier classifier) {
        this.modelId = modelId;
        this.version = version;
        this.classifier = classifier;
    }

    /** @return false when the model is already closed (the caller reads the slot again and gets its successor) */
    boolean tryAcquire() {
        while (true) {
            int n = references.get();
            if (n <= 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            classifier.close();
        }
    }

    public String modelId() {
        return modelId;
    }

    public int version() {
        return version;
    }

    public List<String> labels() {
        return classifier.bundle().labels();
    }

    List<Classifier.Prediction> predict(List<String> texts) {
        return classifier.predict(texts);
    }

    boolean isClosed() {
        return references.get() <= 0;
    }
}
