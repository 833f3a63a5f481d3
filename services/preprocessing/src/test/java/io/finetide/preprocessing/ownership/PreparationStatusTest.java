package io.finetide.preprocessing.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.finetide.preprocessing.preparation.PreparationService;
import io.finetide.preprocessing.store.PreparationStatusStore;
import io.finetide.preprocessing.store.SnapshotRequestStore;
import io.finetide.preprocessing.trigger.TriggerPolicy;
import io.finetide.testing.FinetideTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A replica that does not own a task answers with the status the owner published (here: published as the owner
 * would, for a task whose partition this instance gave up), not by counting the task's examples.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class PreparationStatusTest {

    @Inject
    TaskOwnership ownership;

    @Inject
    StatusPublication publication;

    @Inject
    PreparationStatus status;

    @Inject
    PreparationStatusStore store;

    @Inject
    SnapshotRequestStore requests;

    @Test
    void anotherReplicaAnswersWithTheOwnersPublishedStatusAndTheRequestsWaitingForIt() {
        // The only replica holds every partition: the task's partition is given up for the test, as in a move.
        await().atMost(Duration.ofSeconds(60)).until(() -> ownership.partitionCount() > 0);
        int n = ownership.partitionCount();
        ownership.released(List.of(TaskOwnership.partitionOf("elsewhere", n)));
        try {
            answersAsTheOwnerPublished();
        } finally {
            ownership.holding(IntStream.range(0, n).boxed().toList(), n);
        }
    }

    private void answersAsTheOwnerPublished() {
        assertThat(ownership.owns("elsewhere")).isFalse();
        PreparationService.Status owners = new PreparationService.Status("elsewhere", 72_931, 58_000, 1_200, 70_000,
                2_931, Map.of("drift", "drift 0.31 above 0.2"));
        publication.publishIfDue(owners, 1_000_000);
        requests.add("elsewhere", "manual: asked by someone", 1_000_001);

        PreparationService.Status answered = status.of("elsewhere");
        assertThat(answered.sequence()).isEqualTo(72_931);
        assertThat(answered.trainingExamples()).isEqualTo(58_000);
        assertThat(answered.newTrainingExamples()).isEqualTo(1_200);
        assertThat(answered.lastSnapshotCut()).isEqualTo(70_000);
        assertThat(answered.sinceLastSnapshot()).isEqualTo(2_931);
        assertThat(answered.pendingTriggers()).containsEntry("drift", "drift 0.31 above 0.2").containsEntry(
                TriggerPolicy.MANUAL, "manual: asked by someone");
    }

    @Test
    void aChangedStatusIsPublishedAtMostOnceASecondAndAnUnchangedOneEveryTenSeconds() {
        PreparationService.Status first = new PreparationService.Status("paced", 10, 8, 8, 0, 10, Map.of());
        PreparationService.Status second = new PreparationService.Status("paced", 11, 9, 9, 0, 11, Map.of());
        publication.publishIfDue(first, 2_000_000);
        publication.publishIfDue(second, 2_000_999);
        assertThat(store.find("paced").orElseThrow().sequence()).isEqualTo(10);
        publication.publishIfDue(second, 2_001_000);
        assertThat(store.find("paced").orElseThrow().sequence()).isEqualTo(11);

        // A former owner's write in the moment of a move: replaced within ten seconds though nothing changed.
        store.publish(first, 2_001_500);
        publication.publishIfDue(second, 2_010_999);
        assertThat(store.find("paced").orElseThrow().sequence()).isEqualTo(10);
        publication.publishIfDue(second, 2_011_000);
        assertThat(store.find("paced").orElseThrow().sequence()).isEqualTo(11);
    }
}
