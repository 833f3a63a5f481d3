package io.finetide.ingestion.intake;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.ingestion.messaging.EventPublisher;
import io.finetide.ingestion.store.ExampleStore;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.ExamplesDeletedEvent;

/**
 * Removes a subject's examples, by id or by a metadata key and value: from this store, and (through
 * {@code finetide.examples.deleted}) from the prepared data, so that later snapshots exclude them. Deletions are
 * recorded (ids, reason, time; never the text) so that a replayed record cannot bring a deleted text back.
 */
@ApplicationScoped
public class DeletionService {

    private static final Logger LOG = Logger.getLogger(DeletionService.class);

    @Inject
    ExampleStore store;

    @Inject
    EventPublisher publisher;

    @Inject
    IngestService ingest;

    /** @return the ids that were stored and are deleted now */
    public List<String> delete(String task, List<String> ids, String metadataKey, String metadataValue,
            String reason) {
        Set<String> targets = new LinkedHashSet<>(ids);
        if (metadataKey != null && !metadataKey.isBlank()) {
            targets.addAll(store.idsByMetadata(task, metadataKey, metadataValue == null ? "" : metadataValue));
        }
        List<String> deleted = store.delete(task, targets, reason, System.currentTimeMillis());
        ingest.forget(task, List.copyOf(targets));
        // Published even when nothing was stored here: preprocessing may hold what an earlier attempt left.
        if (!targets.isEmpty()) {
            publisher.deleted(ExamplesDeletedEvent.newBuilder().setMeta(Events.meta(task)).addAllIds(targets)
                    .setReason(reason).build());
        }
        LOG.infof("task %s: %d example(s) deleted on request (%s)", task, deleted.size(), reason);
        return deleted;
    }
}
