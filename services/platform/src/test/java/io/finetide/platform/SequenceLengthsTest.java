package io.finetide.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import io.finetide.platform.datasets.SequenceLengths;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.SequenceLength;
import io.finetide.proto.v1.TaskDefinitionEvent;

class SequenceLengthsTest {

    /** {@code count} examples of each length in {@code [from, to]}. */
    private static long[] lengths(int from, int to, int count) {
        long[] out = new long[513];
        for (int n = from; n <= to; n++) {
            out[n] += count;
        }
        return out;
    }

    @Test
    void theSmallestBucketThatHoldsNineteenInTwentyWhole() {
        // Lengths 10..109, one each: 64 holds 55%, 128 all.
        SequenceLength l = SequenceLengths.chosen(lengths(10, 109, 1), 256);
        assertThat(l.getMaxSeqLen()).isEqualTo(128);
        assertThat(l.getFromData()).isTrue();
        assertThat(l.getTruncatedShare()).isZero();
        assertThat(l.getCap()).isEqualTo(256);
        // 95 of 100 at most 64 long is enough for 64; the other five are cut.
        long[] tail = lengths(20, 20, 95);
        tail[300] = 5;
        SequenceLength short64 = SequenceLengths.chosen(tail, 256);
        assertThat(short64.getMaxSeqLen()).isEqualTo(64);
        assertThat(short64.getTruncatedShare()).isCloseTo(0.05, within(1e-12));
        tail[300] = 6;
        assertThat(SequenceLengths.chosen(tail, 512).getMaxSeqLen()).isEqualTo(512);
    }

    @Test
    void theCapBoundsTheChoice() {
        long[] long400 = lengths(400, 400, 10);
        assertThat(SequenceLengths.chosen(long400, 256).getMaxSeqLen()).isEqualTo(256);
        assertThat(SequenceLengths.chosen(long400, 256).getTruncatedShare()).isEqualTo(1.0);
        // A base with fewer positions than the smallest bucket caps it too.
        assertThat(SequenceLengths.chosen(lengths(10, 20, 1), 32).getMaxSeqLen()).isEqualTo(32);
        assertThat(SequenceLengths.chosen(lengths(100, 120, 1), 200).getMaxSeqLen()).isEqualTo(128);
        assertThat(SequenceLengths.chosen(lengths(150, 170, 1), 200).getMaxSeqLen()).isEqualTo(200);
        // Without examples: the smallest bucket.
        assertThat(SequenceLengths.chosen(new long[513], 256).getMaxSeqLen()).isEqualTo(64);
    }

    @Test
    void aKeptChoiceAndASetLengthReportTheirOwnTruncation() {
        SequenceLength first = SequenceLengths.chosen(lengths(10, 60, 1), 256);
        long[] later = lengths(10, 60, 1);
        later[100] = 51;
        SequenceLength kept = SequenceLengths.kept(first, later);
        assertThat(kept.getMaxSeqLen()).isEqualTo(64);
        assertThat(kept.getFromData()).isTrue();
        assertThat(kept.getTruncatedShare()).isCloseTo(0.5, within(1e-12));
        SequenceLength set = SequenceLengths.set(later, 128);
        assertThat(set.getFromData()).isFalse();
        assertThat(set.getTruncatedShare()).isZero();
        assertThat(set.getCap()).isZero();
    }

    @Test
    void aRunReadsAtItsSnapshotsLength() {
        TaskDefinitionEvent chosen = TaskDefinitions.withDefaults(TaskDefinitionEvent.newBuilder().setName("t")
                .addLabels("a").addLabels("b").build());
        assertThat(chosen.getModel().getMaxSeqLen()).isEqualTo(256);
        assertThat(chosen.getModel().getMaxSeqLenFromData()).isTrue();
        SequenceLength at128 = SequenceLength.newBuilder().setMaxSeqLen(128).setFromData(true).setCap(256).build();
        assertThat(SequenceLengths.readAt(chosen, at128).getModel().getMaxSeqLen()).isEqualTo(128);
        // A snapshot from before lengths were recorded: the smallest bucket, as such tasks had.
        assertThat(SequenceLengths.readAt(chosen, SequenceLength.getDefaultInstance()).getModel().getMaxSeqLen())
                .isEqualTo(64);
        TaskDefinitionEvent set = TaskDefinitions.withDefaults(chosen.toBuilder().setModel(chosen.getModel()
                .toBuilder().setMaxSeqLen(48)).build());
        assertThat(set.getModel().getMaxSeqLenFromData()).isFalse();
        assertThat(SequenceLengths.readAt(set, SequenceLength.getDefaultInstance())).isEqualTo(set);
        // Read back and submitted again, a chosen length stays chosen.
        assertThat(TaskDefinitions.withDefaults(chosen)).isEqualTo(chosen);
    }
}
