package io.finetide.ingestion.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.finetide.ingestion.tasks.TaskService;
import io.quarkus.runtime.StartupEvent;

@ApplicationScoped
public class Startup {

    @Inject
    TaskService tasks;

    void onStart(@Observes StartupEvent event) {
        tasks.loadFromStore();
    }
}
