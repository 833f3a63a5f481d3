package io.finetide.ingestion.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.ingestion.tasks.TaskService;
import io.finetide.proto.v1.StudyProgressEvent;
import io.finetide.runtime.messaging.RecordHandler;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * Studies' announcements ({@code finetide.studies.progress}): a study's best values to apply become the task's next
 * revision; everything else on the topic is for people and dashboards.
 */
@ApplicationScoped
public class StudyConsumer {

    @Inject
    TaskService tasks;

    @Inject
    RecordHandler handler;

    @Inject
    IngestionMetrics metrics;

    @Incoming("studies")
    @Blocking
    public void study(ConsumerRecord<String, byte[]> record) {
        handler.handle(record, RecordHandler.Decoder.event(StudyProgressEvent::parseFrom,
                StudyProgressEvent::getMeta), e -> {
                    if (e.getPhase() == StudyProgressEvent.Phase.BEST_APPLIED && e.getApply()) {
                        tasks.adoptStudyValues(e.getMeta().getTask(), e.getStudyId(), e.getParametersMap());
                    }
                }, reason -> metrics.rejected(reason, "kafka-studies"));
    }
}
