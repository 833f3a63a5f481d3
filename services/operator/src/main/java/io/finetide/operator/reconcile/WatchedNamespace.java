package io.finetide.operator.reconcile;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.finetide.operator.config.OperatorConfig;

/** The namespace whose FineTuningTasks this operator reconciles: configured, or the client's own (the pod's). */
@ApplicationScoped
public class WatchedNamespace {

    @Inject
    OperatorConfig config;

    @Inject
    KubernetesClient client;

    public String name() {
        return config.namespace().or(() -> java.util.Optional.ofNullable(client.getNamespace())).orElse("default");
    }
}
