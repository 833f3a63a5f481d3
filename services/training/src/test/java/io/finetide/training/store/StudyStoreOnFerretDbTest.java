package io.finetide.training.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.testing.TestInfrastructure;

/** The trial store's races, against the tests' FerretDB process (or FINETIDE_MONGODB_URI). */
class StudyStoreOnFerretDbTest {

    static MongoClient client;
    static StudyStore store;

    @BeforeAll
    static void start() {
        client = MongoClients.create(TestInfrastructure.mongoUri());
        store = new StudyStore();
        store.database = client.getDatabase("study_store_test_" + System.nanoTime());
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    /**
     * The dispatching thread records where a trial went while the consumer that got it claims it. On one document,
     * FerretDB lost the claim nearly every time (its state back to QUEUED), and the run's epochs and end did not
     * count: a study waited forever (StudyFlowIT, under load in CI).
     */
    @Test
    void aTrialClaimedWhileItsDispatchIsRecordedKeepsBoth() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int n = 0; n < 60; n++) {
                TrialRecord queued = TrialRecord.queued("race", "task", n, Map.of("learningRate", 0.001));
                store.insertTrial(queued);
                CyclicBarrier together = new CyclicBarrier(2);
                Future<?> dispatch = pool.submit(() -> {
                    together.await();
                    store.sent(queued.id(), 2);
                    return null;
                });
                Future<?> claim = pool.submit(() -> {
                    together.await();
                    return store.claim(queued.id(), "instance-a");
                });
                dispatch.get();
                claim.get();
                TrialRecord after = store.trial(queued.id()).orElseThrow();
                assertThat(after.state()).as("trial " + n).isEqualTo(TrialRecord.TrialState.RUNNING);
                assertThat(after.owner()).isEqualTo("instance-a");
                assertThat(after.sent()).isTrue();
                assertThat(after.partition()).isEqualTo(2);
                assertThat(store.epochs(queued.id(), "instance-a", java.util.List.of())).isTrue();
            }
            assertThat(store.busyPartitions()).hasSize(60).containsOnly(2);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A user stops a study in the moment its last trial ends it. On one document FerretDB kept only one of the two: the
     * study ended COMPLETE with no stop on record, or the stop's write undid the end and it stayed RUNNING.
     */
    @Test
    void aStopRequestedAsTheStudyEndsKeepsBoth() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int n = 0; n < 60; n++) {
                String id = "stop-race-" + n;
                store.insertStudy(new StudyRecord(id, "task", io.finetide.proto.v1.StudySpec.getDefaultInstance(),
                        io.finetide.proto.v1.HyperParameters.getDefaultInstance(), "snap",
                        StudyRecord.StudyState.RUNNING,
                        0, 0, false, 0));
                CyclicBarrier together = new CyclicBarrier(2);
                Future<?> stop = pool.submit(() -> {
                    together.await();
                    store.requestStop(id);
                    return null;
                });
                Future<Boolean> end = pool.submit(() -> {
                    together.await();
                    return store.finishStudy(id, StudyRecord.StudyState.COMPLETE);
                });
                stop.get();
                assertThat(end.get()).isTrue();
                StudyRecord after = store.study(id).orElseThrow();
                assertThat(after.state()).as("study " + n).isEqualTo(StudyRecord.StudyState.COMPLETE);
                assertThat(after.stopRequested()).as("study " + n).isTrue();
                assertThat(after.finishedAtMs()).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
