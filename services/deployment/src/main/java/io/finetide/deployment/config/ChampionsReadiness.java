package io.finetide.deployment.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.finetide.deployment.registry.RegistryService;

/** Not ready until the recorded champions are back in memory: a restarted replica must not answer 404s. */
@Readiness
@ApplicationScoped
public class ChampionsReadiness implements HealthCheck {

    @Inject
    RegistryService registry;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("champions-loaded").status(registry.championsLoaded()).build();
    }
}
