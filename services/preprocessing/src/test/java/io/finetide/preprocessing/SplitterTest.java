package io.finetide.preprocessing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.preprocessing.snapshot.Splitter;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.SplitRatios;

class SplitterTest {

    private static final SplitRatios R = SplitRatios.newBuilder().setTrain(0.8).setValidation(0.1).setTest(0.1)
            .build();

    @Test
    void splitsAreDeterministicAndFollowTheRatios() {
        Map<Split, Integer> counts = new EnumMap<>(Split.class);
        for (int i = 0; i < 20000; i++) {
            Split s = Splitter.assign("task", "id-" + i, R);
            assertThat(Splitter.assign("task", "id-" + i, R)).isEqualTo(s);
            counts.merge(s, 1, Integer::sum);
        }
        assertThat(counts.get(Split.TRAIN) / 20000.0).isBetween(0.79, 0.81);
        assertThat(counts.get(Split.VALIDATION) / 20000.0).isBetween(0.09, 0.11);
        assertThat(counts.get(Split.TEST) / 20000.0).isBetween(0.09, 0.11);
    }

    @Test
    void goldenAssignmentsNeverMove() {
        // Recorded once; a change here would move examples of existing tasks between splits.
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            s.append(Splitter.assign("sentiment", "ex-" + i, R).getNumber());
        }
        assertThat(s.toString()).isEqualTo(GOLDEN);
    }

    static final String GOLDEN = "1111121111112112311111211111111111111211";

    @Test
    void anExampleKeepsItsSplitAsTheDatasetGrows() {
        Map<String, Split> first = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            first.put("id-" + i, Splitter.assign("t", "id-" + i, R));
        }
        for (int i = 0; i < 5000; i++) {
            Splitter.assign("t", "other-" + i, R);
        }
        first.forEach((id, split) -> assertThat(Splitter.assign("t", id, R)).isEqualTo(split));
    }

    @Test
    void stratifiedSplitsKeepEveryLabelWithinOneExampleOfTheRatios() {
        Splitter splitter = new Splitter();
        Map<String, Map<Split, Integer>> counts = new HashMap<>();
        // A rare label (1 in 20) that plain hashing would leave with few or no test examples.
        for (int i = 0; i < 4000; i++) {
            String label = i % 20 == 0 ? "rare" : "common";
            Split s = splitter.assignStratified("t", "id-" + i, label, R);
            counts.computeIfAbsent(label, l -> new EnumMap<>(Split.class)).merge(s, 1, Integer::sum);
        }
        counts.forEach((label, bySplit) -> {
            int n = bySplit.values().stream().mapToInt(Integer::intValue).sum();
            assertThat((double) bySplit.get(Split.TRAIN)).isCloseTo(0.8 * n, org.assertj.core.api.Assertions.within(
                    1.0));
            assertThat((double) bySplit.get(Split.VALIDATION)).isCloseTo(0.1 * n, org.assertj.core.api.Assertions
                    .within(1.0));
            assertThat((double) bySplit.get(Split.TEST)).isCloseTo(0.1 * n, org.assertj.core.api.Assertions.within(
                    1.0));
        });
        // Seeded from the same counts, a second splitter continues identically.
        Splitter again = new Splitter();
        counts.forEach((label, bySplit) -> bySplit.forEach((s, n) -> again.seed(label, s, n)));
        for (int i = 4000; i < 4100; i++) {
            assertThat(again.assignStratified("t", "id-" + i, "rare", R)).isEqualTo(splitter.assignStratified("t",
                    "id-" + i, "rare", R));
        }
    }
}
