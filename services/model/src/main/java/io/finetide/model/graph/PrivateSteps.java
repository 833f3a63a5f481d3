package io.finetide.model.graph;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

import io.finetide.model.arch.Inputs;
import io.finetide.model.layers.Dropout;

/**
 * DP-SGD's steps on a training graph built with {@link GraphOptions#privateSteps} (see
 * {@link io.finetide.model.optim.Updates#privateAccumulation}): each example's gradient clipped into the private sums,
 * one micro-batch of one at a time or, where the graph can ghost clip, a batch at once; then one update from the
 * noised sums.
 */
public final class PrivateSteps {

    /** What the steps feed besides their own: the graph's inputs, training ops and dropout, and its settings. */
    record Feeds(Inputs inputs, TrainingOps training, Placeholder<TFloat32> dropoutRate,
            Operand<TInt64> dropoutKey, long seed, boolean staged) {
    }

    private final Session session;
    private final Feeds feeds;

    PrivateSteps(Session session, Feeds feeds) {
        this.session = session;
        this.feeds = feeds;
    }

    /** A batch's part in a DP-SGD step: its mean loss and each example's gradient norm before clipping. */
    public record ClippedBatch(float loss, float[] gradNorms) {
    }

    /**
     * A DP-SGD update's noise: standard deviation {@code noiseStd} (multiplier times clip) drawn from the run's secret
     * {@code noiseSeed} and the update's index, the noised sum divided by {@code expectedBatch}.
     */
    public record Noise(double noiseStd, long noiseSeed, long update, double expectedBatch) {
    }

    /**
     * Whether {@link #accumulateClipped} takes a whole batch at once: a sequence classifier of which only the
     * classifier trains, where each example's gradient norm follows from its features and its logits' gradient (ghost
     * clipping) instead of a pass of its own. Otherwise it takes one example at a time (a micro-batch of one).
     */
    public boolean clipsBatches() {
        return feeds.training().privacy().ghost() != null;
    }

    /**
     * DP-SGD: adds each example's gradient, scaled to a global norm of at most {@code clip}, to the private sums; the
     * batch must hold exactly one example unless the graph {@link #clipsBatches}.
     */
    public ClippedBatch accumulateClipped(Batch batch, int[] labels, UpdateStep step, double clip) {
        PrivateOps p = feeds.training().privacy();
        if (p.ghost() != null) {
            return clipInto(batch, labels, step, clip, p.ghost().norms(), p.ghost().accumulate());
        }
        if (batch.size() != 1) {
            throw new IllegalArgumentException("this graph clips one example at a time, not " + batch.size());
        }
        return clipInto(batch, labels, step, clip, p.accumulation().exampleNorm(), p.accumulation().accumulate());
    }

    /** Runs {@code accumulate} on the batch at clipping norm {@code clip}; the batch's loss and the norms it fetched. */
    private ClippedBatch clipInto(Batch batch, int[] labels, UpdateStep step, double clip, Operand<TFloat32> norms,
            Op accumulate) {
        TrainingOps t = feeds.training();
        try (BatchTensors in = new BatchTensors(batch, feeds.inputs());
                TInt32 y = TInt32.vectorOf(labels);
                TFloat32 rate = TFloat32.scalarOf((float) step.dropout());
                TInt64 key = TInt64.vectorOf(feeds.seed(), step.randomKey() * Dropout.KEYS_PER_STEP);
                TFloat32 c = TFloat32.scalarOf((float) clip);
                Result r = in.feed(session.runner()).feed(t.labels(), y).feed(feeds.dropoutRate(), rate).feed(feeds
                        .dropoutKey(), key).feed(t.privacy().clip(), c).fetch(t.loss()).fetch(norms)
                        .addTarget(accumulate)
                        .run()) {
            float[] out = new float[batch.size()];
            ((TFloat32) r.get(1)).copyTo(DataBuffers.of(out, false, false));
            return new ClippedBatch(((TFloat32) r.get(0)).getFloat(), out);
        }
    }

    /** DP-SGD: one update from the noised sum of the clipped gradients, then empty sums; returns the update's norm. */
    public float applyNoised(UpdateStep step, Noise noise) {
        PrivateOps p = feeds.training().privacy();
        float norm;
        try (StepTensors f = new StepTensors(step, feeds.training(), feeds.staged());
                TFloat32 std = TFloat32.scalarOf((float) noise.noiseStd());
                TInt64 key = TInt64.vectorOf(noise.noiseSeed(), noise.update());
                TFloat32 expected = TFloat32.scalarOf((float) noise.expectedBatch());
                Result r = f.feed(session.runner()).feed(p.noiseStd(), std).feed(p.noiseKey(), key).feed(p
                        .expectedBatch(), expected).fetch(p.accumulation().apply().norm()).addTarget(p.accumulation()
                                .apply().op())
                        .run()) {
            norm = ((TFloat32) r.get(0)).getFloat();
        }
        session.run(p.accumulation().clear());
        return norm;
    }
}
