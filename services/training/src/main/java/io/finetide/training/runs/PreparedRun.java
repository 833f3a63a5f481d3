package io.finetide.training.runs;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.ForeignCheckpointException;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.files.FileTrees;

/**
 * Everything a run needs before its first update: the snapshot's examples, the hyper-parameters, the base, the
 * tokenizer (closed with the run), the model's configuration and the weights it starts from (the task's champion when
 * it can be continued).
 */
public record PreparedRun(RunData data, TrainingConfig hp, Strategy strategy, Base base, Tokenizer tokenizer,
        TransformerConfig modelConfig, Optional<Champion> champion, Weights initial) implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PreparedRun.class);

    public record Champion(String modelId, ModelBundle bundle) {
    }

    /** The same run with other hyper-parameters (a private task's DP-SGD settings); it shares the tokenizer. */
    public PreparedRun withHp(TrainingConfig other) {
        return new PreparedRun(data, other, strategy, base, tokenizer, modelConfig, champion, initial);
    }

    /** The champion continued, or empty when the run starts from the base. */
    public String parent() {
        return champion.map(Champion::modelId).orElse("");
    }

    public int validationCount() {
        return data.validationCount();
    }

    /**
     * Trains, resuming from the checkpoint in {@code checkpointDir} when an earlier attempt of this same run left one
     * (none: no checkpoints); a checkpoint of another configuration is removed and the run starts over.
     */
    public Trainer.Result fit(TrainingListener listener, Optional<Path> checkpointDir, int checkpointEverySteps) {
        if (checkpointDir.isEmpty()) {
            return data.fit(modelConfig, initial, tokenizer, hp, strategy, listener, Checkpoint.Store.NONE);
        }
        Checkpoint.Store checkpoints = Checkpoint.directory(checkpointDir.get(), checkpointEverySteps);
        try {
            return data.fit(modelConfig, initial, tokenizer, hp, strategy, listener, checkpoints);
        } catch (ForeignCheckpointException e) {
            // The task changed between the killed attempt and this one: its checkpoint is of no use.
            LOG.warnf("the checkpoint in %s is of another configuration; training from the start", checkpointDir
                    .get());
            removeCheckpoint(checkpointDir.get());
            return data.fit(modelConfig, initial, tokenizer, hp, strategy, listener, checkpoints);
        }
    }

    /** Removes a run's checkpoint once it is of no more use. */
    public static void removeCheckpoint(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (UncheckedIOException e) {
            // A stale checkpoint only costs disk: the next run of the same name refuses or resumes it.
            LOG.warnf(e, "cannot remove the checkpoint %s", dir);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
