package io.finetide.operator.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.finetide.operator.reconcile.TaskReconciler;

/** Ready once the namespace's FineTuningTasks have been listed from the API server. */
@Readiness
@ApplicationScoped
public class InformerReadiness implements HealthCheck {

    @Inject
    TaskReconciler reconciler;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("finetuningtasks-listed").status(reconciler.synced()).build();
    }
}
