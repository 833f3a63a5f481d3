package io.finetide.deployment.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.rollout.RolloutService;
import io.quarkus.runtime.StartupEvent;

@ApplicationScoped
public class Startup {

    @Inject
    RegistryService registry;

    @Inject
    RolloutService rollouts;

    void onStart(@Observes StartupEvent event) {
        registry.loadChampions();
        rollouts.restore();
    }
}
