package io.finetide.deployment.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.finetide.deployment.registry.RegistryService;
import io.quarkus.runtime.StartupEvent;

@ApplicationScoped
public class Startup {

    @Inject
    RegistryService registry;

    void onStart(@Observes StartupEvent event) {
        registry.loadChampions();
    }
}
