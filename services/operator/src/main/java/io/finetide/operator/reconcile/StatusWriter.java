package io.finetide.operator.reconcile;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.finetide.operator.metrics.OperatorMetrics;
import io.finetide.operator.resource.FineTuningTask;
import io.finetide.operator.resource.FineTuningTaskStatus;

/**
 * Writes a resource's status subresource when it differs from what was last written, so that replayed pipeline
 * events and resyncs cost no API calls. A task without a resource has nothing to write (its state waits for one).
 */
@ApplicationScoped
public class StatusWriter {

    private static final Logger LOG = Logger.getLogger(StatusWriter.class);

    private final Map<String, FineTuningTaskStatus> written = new ConcurrentHashMap<>();

    @Inject
    KubernetesClient client;

    @Inject
    WatchedNamespace namespace;

    @Inject
    OperatorMetrics metrics;

    /** Called with the {@link TaskStates} lock held. */
    void write(String task, FineTuningTaskStatus status) {
        if (status.equals(written.get(task))) {
            return;
        }
        Resource<FineTuningTask> resource = resources().withName(task);
        try {
            FineTuningTask current = resource.get();
            if (current == null) {
                written.remove(task);
                return;
            }
            current.setStatus(status);
            // A merge patch of the status alone, without the resourceVersion: no conflict with spec edits.
            current.getMetadata().setResourceVersion(null);
            client.resource(current).patchStatus();
            written.put(task, status);
            metrics.statusWritten(true);
        } catch (KubernetesClientException e) {
            // The next change or resync writes the whole status again.
            written.remove(task);
            metrics.statusWritten(false);
            LOG.warnf("cannot write the status of FineTuningTask %s: %s", task, e.getMessage());
        }
    }

    /** A resource (re)appeared: its status must be written even if this process wrote the same one before. */
    void forget(String task) {
        written.remove(task);
    }

    private NonNamespaceOperation<FineTuningTask, KubernetesResourceList<FineTuningTask>, Resource<FineTuningTask>> resources() {
        return client.resources(FineTuningTask.class).inNamespace(namespace.name());
    }
}
