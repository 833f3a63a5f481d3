package io.finetide.platform.datasets;

import io.finetide.proto.v1.SequenceLength;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * The sequence length of a task that left {@code model.maxSeqLen} out, chosen from its first snapshot's examples: the
 * smallest bucket that holds {@value #COVERAGE} of them whole, within the cap. A longer length costs more per example
 * (attention is quadratic in it): {@value #COMPUTE_BUDGET} tokens is the cap that keeps a CPU run of a MiniLM-size
 * encoder within minutes per thousand examples; a task that needs more says so with {@code maxSeqLen}.
 */
public final class SequenceLengths {

    public static final int[] BUCKETS = {64, 128, 256, 512};
    public static final double COVERAGE = 0.95;
    public static final int COMPUTE_BUDGET = 256;

    private SequenceLengths() {
    }

    /**
     * @param lengths {@code lengths[n]}: how many examples are {@code n} tokens long (special tokens included); the last
     *                entry counts every example at least that long
     * @param cap     the longest the choice may be (the compute budget, and the base's positions)
     */
    public static SequenceLength chosen(long[] lengths, int cap) {
        long total = 0;
        for (long n : lengths) {
            total += n;
        }
        int choice = Math.min(cap, BUCKETS[0]);
        for (int bucket : BUCKETS) {
            choice = Math.min(cap, bucket);
            if (bucket >= cap || total == 0 || atMost(lengths, bucket) >= COVERAGE * total) {
                break;
            }
        }
        return SequenceLength.newBuilder().setMaxSeqLen(choice).setFromData(true).setTruncatedShare(truncatedShare(
                lengths, choice)).setCap(cap).build();
    }

    /** The length a task set, with the share of examples longer than it. */
    public static SequenceLength set(long[] lengths, int maxSeqLen) {
        return SequenceLength.newBuilder().setMaxSeqLen(maxSeqLen).setTruncatedShare(truncatedShare(lengths,
                maxSeqLen)).build();
    }

    /** A parent snapshot's choice kept, with this snapshot's share of examples longer than it. */
    public static SequenceLength kept(SequenceLength parent, long[] lengths) {
        return parent.toBuilder().setTruncatedShare(truncatedShare(lengths, parent.getMaxSeqLen())).build();
    }

    /**
     * The task as a snapshot's models are trained: reading the snapshot's length. A snapshot without one (made before
     * lengths were recorded) leaves a task's own length, and reads a task that left it out at the smallest bucket
     * (the length such tasks had then).
     */
    public static TaskDefinitionEvent readAt(TaskDefinitionEvent task, SequenceLength length) {
        int max = length.getMaxSeqLen() > 0
                ? length.getMaxSeqLen()
                : task.getModel().getMaxSeqLenFromData()
                        ? Math.min(BUCKETS[0], task.getModel().getMaxSeqLen())
                        : task.getModel().getMaxSeqLen();
        return max == task.getModel().getMaxSeqLen()
                ? task
                : task.toBuilder().setModel(task.getModel().toBuilder().setMaxSeqLen(max)).build();
    }

    /** The share of examples longer than {@code maxSeqLen}; 0 without examples. */
    public static double truncatedShare(long[] lengths, int maxSeqLen) {
        long total = 0;
        for (long n : lengths) {
            total += n;
        }
        return total == 0 ? 0 : (total - atMost(lengths, maxSeqLen)) / (double) total;
    }

    private static long atMost(long[] lengths, int max) {
        long n = 0;
        for (int i = 0; i < lengths.length && i <= max; i++) {
            n += lengths[i];
        }
        return n;
    }
}
