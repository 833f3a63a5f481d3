package io.finetide.ingestion.tasks;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.ingestion.messaging.EventPublisher;
import io.finetide.ingestion.store.TaskRecord;
import io.finetide.ingestion.store.TaskStore;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.search.StudySpecs;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.BaseModelArtifacts;
import io.finetide.platform.tasks.KeyedRegistry;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.tasks.TaskRevisions;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * Ingestion owns task definitions: it stores them and publishes them to the compacted tasks topic, from which every
 * other service learns them. Tasks are immutable: re-submitting the same definition is a no-op (and re-publishes, in
 * case an earlier publish failed), a different definition under an existing name is a conflict.
 */
@ApplicationScoped
public class TaskService {

    private static final Logger LOG = Logger.getLogger(TaskService.class);

    public enum Outcome {
        CREATED, CHANGED, UNCHANGED
    }

    public static class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }

    private final KeyedRegistry<TaskDefinitionEvent> registry = new KeyedRegistry<>();

    @Inject
    TaskStore store;

    @Inject
    EventPublisher publisher;

    @Inject
    ArtifactStore artifacts;

    @Inject
    Event<TaskKnown> known;

    /** A task this process now knows (loaded, created or changed); fired after it is in the registry. */
    public record TaskKnown(String name) {
    }

    private void remember(TaskDefinitionEvent task) {
        registry.put(task.getName(), task);
        known.fire(new TaskKnown(task.getName()));
    }

    public void loadFromStore() {
        for (TaskRecord r : store.all()) {
            remember(r.definition());
        }
        LOG.infof("loaded %d task(s) from the store", registry.all().size());
    }

    public Outcome create(TaskDefinitionEvent submitted) {
        TaskDefinitionEvent task = TaskDefinitions.validated(submitted, BaseModelArtifacts.resolver(artifacts));
        TaskDefinitionEvent stamped = TaskRevisions.stamped(task, System.currentTimeMillis());
        boolean created = store.insertOnce(TaskRecord.of(stamped));
        TaskDefinitionEvent stored = store.find(task.getName()).orElseThrow().definition();
        if (!created && !TaskRevisions.content(stored).equals(TaskRevisions.content(task))) {
            throw new ConflictException("task '" + task.getName() + "' exists with a different definition");
        }
        publisher.task(stored);
        remember(stored);
        return created ? Outcome.CREATED : Outcome.UNCHANGED;
    }

    /**
     * Changes an existing task (PUT): the new definition gets the next revision and replaces the old one; the same
     * content again is a no-op. Services that prepared or trained with the old definition react to the new one
     * (preprocessing prepares the examples again when cleaning or tokenisation changed).
     *
     * @return empty when there is no such task
     */
    public Optional<Outcome> change(String name, TaskDefinitionEvent submitted) {
        Optional<TaskRecord> existing = store.find(name);
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        TaskDefinitionEvent old = existing.get().definition();
        TaskDefinitionEvent changed = TaskRevisions.changed(old, submitted.toBuilder().setName(name).build(),
                BaseModelArtifacts.resolver(artifacts));
        if (TaskRevisions.content(changed).equals(TaskRevisions.content(old))) {
            publisher.task(old);
            remember(old);
            return Optional.of(Outcome.UNCHANGED);
        }
        store.replace(TaskRecord.of(changed));
        publisher.task(changed);
        remember(changed);
        LOG.infof("task %s changed to revision %d", name, changed.getRevision());
        return Optional.of(Outcome.CHANGED);
    }

    /**
     * A study's best values, applied to the task's hyper-parameters as they are now (a change made since the study
     * began stays), as its next revision. A task deleted since, or values the task refuses, are logged and dropped.
     */
    public void adoptStudyValues(String name, String studyId, Map<String, String> values) {
        Optional<TaskRecord> existing = store.find(name);
        if (existing.isEmpty()) {
            LOG.warnf("study %s applies to task %s, which is gone", studyId, name);
            return;
        }
        TaskDefinitionEvent old = existing.get().definition();
        HyperParameters hp = StudySpecs.apply(old.getHyperParameters(), StudySpecs.fromText(values));
        try {
            Optional<Outcome> outcome = change(name, old.toBuilder().setHyperParameters(hp).build());
            LOG.infof("study %s applied to task %s: %s %s", studyId, name, outcome.orElse(null), values);
        } catch (RejectedException e) {
            LOG.errorf("study %s's values %s do not make a valid task %s: %s", studyId, values, name, e.getMessage());
        }
    }

    public Optional<TaskDefinitionEvent> find(String name) {
        return registry.get(name);
    }

    /** @throws RejectedException UNKNOWN_TASK when there is no such task */
    public TaskDefinitionEvent require(String name) {
        return find(name).orElseThrow(() -> new RejectedException(ReasonCode.UNKNOWN_TASK, "unknown task '" + name
                + "'"));
    }

    public Collection<TaskDefinitionEvent> all() {
        return registry.all();
    }
}
