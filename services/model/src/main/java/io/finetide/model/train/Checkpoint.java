package io.finetide.model.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.finetide.model.transformer.Weights;

/**
 * Everything needed to resume a fine-tuning run exactly where it stopped: the graph's whole state (parameters,
 * adapters, optimizer moments, step counts), the position in the data, the epoch's running loss, the history and the
 * best weights so far. Taken only between updates.
 *
 * @param run         what the run was (configuration, strategy, data size): a checkpoint never resumes another run
 * @param step        updates done
 * @param microStep   micro-batches done (the dropout key of the next one)
 * @param epoch       the epoch to continue (1-based)
 * @param batchesDone micro-batches of that epoch already done
 * @param best        the best epoch's weights, or null while no epoch has ended
 */
public record Checkpoint(String run, long step, long microStep, int epoch, int batchesDone, double lossSum,
        int lossCount, double bestMetric, int bestEpoch, List<TrainingListener.Epoch> history, Weights state,
        Weights best) {

    private static final int MAGIC = 0x46544351; // "FTCQ": the second layout (epochs carry their metric)
    private static final String FILE = "checkpoint.bin";

    /** Where a run keeps its checkpoints and how often it takes one. */
    public interface Store {
        /** Take a checkpoint after every this many updates (and at every epoch's end); 0: only at epochs' ends. */
        int everySteps();

        void save(Checkpoint checkpoint);

        Optional<Checkpoint> latest();

        /** No checkpoints: a killed run starts again. */
        Store NONE = new Store() {
            @Override
            public int everySteps() {
                return 0;
            }

            @Override
            public void save(Checkpoint checkpoint) {
            }

            @Override
            public Optional<Checkpoint> latest() {
                return Optional.empty();
            }
        };
    }

    /**
     * The latest checkpoint in one file of {@code dir}, replaced atomically (written aside, then moved over), so a
     * run killed while saving still finds the previous one.
     */
    public static Store directory(Path dir, int everySteps) {
        return new Store() {
            @Override
            public int everySteps() {
                return everySteps;
            }

            @Override
            public void save(Checkpoint c) {
                try {
                    Files.createDirectories(dir);
                    Path tmp = dir.resolve(FILE + ".tmp");
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                        c.writeTo(out);
                    }
                    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write a checkpoint to " + dir, e);
                }
            }

            @Override
            public Optional<Checkpoint> latest() {
                Path file = dir.resolve(FILE);
                if (!Files.exists(file)) {
                    return Optional.empty();
                }
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
                    return Optional.of(read(in));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the checkpoint " + file, e);
                }
            }
        };
    }

    void writeTo(OutputStream target) throws IOException {
        DataOutputStream out = new DataOutputStream(target);
        out.writeInt(MAGIC);
        out.writeUTF(run);
        out.writeLong(step);
        out.writeLong(microStep);
        out.writeInt(epoch);
        out.writeInt(batchesDone);
        out.writeDouble(lossSum);
        out.writeInt(lossCount);
        out.writeDouble(bestMetric);
        out.writeInt(bestEpoch);
        out.writeInt(history.size());
        for (TrainingListener.Epoch e : history) {
            out.writeInt(e.epoch());
            out.writeInt(e.epochs());
            out.writeLong(e.step());
            out.writeLong(e.totalSteps());
            out.writeDouble(e.trainLoss());
            out.writeDouble(e.validationLoss());
            out.writeDouble(e.validationScore());
            out.writeDouble(e.validationMetric());
            out.writeLong(e.millis());
            out.writeBoolean(e.best());
        }
        out.writeBoolean(best != null);
        out.flush();
        state.writeTo(out);
        if (best != null) {
            best.writeTo(out);
        }
        out.flush();
    }

    static Checkpoint read(InputStream source) throws IOException {
        DataInputStream in = new DataInputStream(source);
        if (in.readInt() != MAGIC) {
            throw new IOException("not a Finetide checkpoint");
        }
        String run = in.readUTF();
        long step = in.readLong();
        long micro = in.readLong();
        int epoch = in.readInt();
        int batches = in.readInt();
        double lossSum = in.readDouble();
        int lossCount = in.readInt();
        double bestMetric = in.readDouble();
        int bestEpoch = in.readInt();
        int n = in.readInt();
        List<TrainingListener.Epoch> history = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            history.add(new TrainingListener.Epoch(in.readInt(), in.readInt(), in.readLong(), in.readLong(), in
                    .readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readLong(),
                    in
                            .readBoolean()));
        }
        boolean hasBest = in.readBoolean();
        Weights state = Weights.fromBytes(in);
        Weights best = hasBest ? Weights.fromBytes(in) : null;
        return new Checkpoint(run, step, micro, epoch, batches, lossSum, lossCount, bestMetric, bestEpoch, List
                .copyOf(history), state, best);
    }
}
