package io.finetide.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.finetide.ingestion.store.ExampleRecord;
import io.finetide.ingestion.store.ExampleStore;
import io.finetide.testing.FinetideTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Labelling an example once holds across instances: the store's own check, not the service's lock. Threads calling
 * the store directly stand for ingestion instances labelling one example at the same instant.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class LabelOnceTest {

    @Inject
    ExampleStore store;

    @Test
    void ofInstancesLabellingOneExampleAtOnceExactlyOneWins() throws Exception {
        int instances = 8;
        for (int round = 0; round < 5; round++) {
            String id = "race-" + round;
            assertThat(
                    store.insertOnce(new ExampleRecord("races", id, "some text", "", "", Map.of(), "h" + round, round,
                            Map.of(), "test", 1L, List.of())))
                    .isTrue();
            CyclicBarrier start = new CyclicBarrier(instances);
            ExecutorService pool = Executors.newFixedThreadPool(instances);
            List<Boolean> won = new ArrayList<>();
            try {
                List<Future<Boolean>> calls = new ArrayList<>();
                for (int i = 0; i < instances; i++) {
                    String label = "label-" + i;
                    calls.add(pool.submit(() -> {
                        start.await();
                        return store.labelOnce("races", id, label);
                    }));
                }
                for (Future<Boolean> c : calls) {
                    won.add(c.get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(won).as("round %d", round).containsOnlyOnce(true);
            assertThat(store.find("races", id).orElseThrow().label()).isEqualTo("label-" + won.indexOf(true));
        }
        // Once labelled, no later call changes it.
        assertThat(store.labelOnce("races", "race-0", "other")).isFalse();
    }
}
