package io.finetide.operator.reconcile;

import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.finetide.operator.config.OperatorConfig;
import io.finetide.operator.metrics.OperatorMetrics;
import io.finetide.operator.resource.FineTuningTask;
import io.finetide.operator.tasks.IngestionTasks;
import io.finetide.operator.tasks.TaskApplication;
import io.quarkus.runtime.StartupEvent;

/**
 * Watches the namespace's FineTuningTasks (an informer: a list, then a watch, and a resync every
 * {@code finetide.operator.resync}) and applies each one's spec to the platform on one worker thread, so two
 * reconciliations of a task never overlap. A resource is reconciled when it appears, when its spec changes (its
 * generation; status writes do not count) and at every resync; an unreachable platform is tried again after
 * {@code finetide.operator.retry}. Deleting a resource leaves the task and its data in the platform: tasks are not
 * deleted there, and a subject's data is removed through ingestion's deletion API.
 */
@ApplicationScoped
public class TaskReconciler {

    private static final Logger LOG = Logger.getLogger(TaskReconciler.class);

    @Inject
    KubernetesClient client;

    @Inject
    WatchedNamespace namespace;

    @Inject
    OperatorConfig config;

    @Inject
    IngestionTasks ingestion;

    @Inject
    TaskStates states;

    @Inject
    StatusWriter writer;

    @Inject
    OperatorMetrics metrics;

    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "finetide-reconciler");
        t.setDaemon(true);
        return t;
    });

    private volatile SharedIndexInformer<FineTuningTask> informer;

    void start(@Observes StartupEvent event) {
        metrics.registerSeries();
        String ns = namespace.name();
        informer = client.resources(FineTuningTask.class).inNamespace(ns).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(FineTuningTask task) {
                writer.forget(task.getMetadata().getName());
                enqueue(task.getMetadata().getName());
            }

            @Override
            public void onUpdate(FineTuningTask before, FineTuningTask after) {
                boolean resync = Objects.equals(before.getMetadata().getResourceVersion(), after.getMetadata()
                        .getResourceVersion());
                boolean specChanged = !Objects.equals(before.getMetadata().getGeneration(), after.getMetadata()
                        .getGeneration());
                if (resync || specChanged) {
                    enqueue(after.getMetadata().getName());
                }
            }

            @Override
            public void onDelete(FineTuningTask task, boolean finalStateUnknown) {
                writer.forget(task.getMetadata().getName());
            }
        }, config.resync().toMillis());
        LOG.infof("watching FineTuningTasks in namespace %s; tasks go to %s", ns, config.ingestionUrl());
    }

    /** The informer has listed the namespace's resources once (readiness). */
    public boolean synced() {
        SharedIndexInformer<FineTuningTask> i = informer;
        return i != null && i.hasSynced();
    }

    private void enqueue(String name) {
        worker.execute(() -> reconcile(name));
    }

    private void reconcile(String name) {
        FineTuningTask resource = informer.getStore().getByKey(namespace.name() + "/" + name);
        if (resource == null) {
            return;
        }
        TaskApplication result = ingestion.apply(name, resource.getSpec().fields());
        metrics.reconciled(result.outcome());
        states.applied(name, resource.getMetadata().getGeneration(), result);
        if (result.outcome() == TaskApplication.Outcome.UNREACHABLE) {
            LOG.warnf("FineTuningTask %s not applied, trying again in %s: %s", name, config.retry(), result
                    .message());
            worker.schedule(() -> reconcile(name), config.retry().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    void stop() {
        if (informer != null) {
            informer.close();
        }
        worker.shutdownNow();
    }
}
