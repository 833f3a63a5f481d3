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

    /**
     * A task's studies listed with their trials in a few queries equal the studies read one by one: stops, trials in
     * order, dispatches and a study without trials, and nothing of another task's.
     */
    @Test
    void aTasksStudiesWithTrialsEqualThemReadOneByOne() {
        // A database of its own: the races above count every dispatched trial in theirs.
        StudyStore store = new StudyStore();
        store.database = client.getDatabase("study_listing_test_" + System.nanoTime());
        for (String task : java.util.List.of("listed", "other")) {
            for (int s = 0; s < 3; s++) {
                String id = task + "-study-" + s;
                store.insertStudy(new StudyRecord(id, task, io.finetide.proto.v1.StudySpec.getDefaultInstance(),
                        io.finetide.proto.v1.HyperParameters.getDefaultInstance(), "snap",
                        StudyRecord.StudyState.RUNNING, 1000 + s, 0, false, 0));
                for (int n = 2 * s - 1; n >= 0; n--) {
                    TrialRecord t = TrialRecord.queued(id, task, n, Map.of("learningRate", 0.001 * (n + 1)));
                    store.insertTrial(t);
                    if (n % 2 == 0) {
                        store.sent(t.id(), n + s);
                    }
                }
            }
        }
        store.requestStop("listed-study-1");
        java.util.List<StudyStore.StudyTrials> listed = store.studiesWithTrials("listed");
        assertThat(listed).extracting(l -> l.study().id()).containsExactly("listed-study-0", "listed-study-1",
                "listed-study-2");
        for (StudyStore.StudyTrials l : listed) {
            assertThat(l.study()).isEqualTo(store.study(l.study().id()).orElseThrow());
            assertThat(l.trials()).isEqualTo(store.trials(l.study().id()));
            for (TrialRecord t : l.trials()) {
                assertThat(t).isEqualTo(store.trial(t.id()).orElseThrow());
            }
        }
        assertThat(listed.get(0).trials()).isEmpty();
        assertThat(listed.get(1).study().stopRequested()).isTrue();
        assertThat(listed.get(2).trials()).extracting(TrialRecord::number).containsExactly(0, 1, 2, 3);
        assertThat(listed.get(2).trials()).extracting(TrialRecord::sent).containsExactly(true, false, true, false);
        assertThat(listed.get(2).trials().get(2).partition()).isEqualTo(4);
    }
}
