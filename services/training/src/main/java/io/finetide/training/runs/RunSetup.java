package io.finetide.training.runs;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.datasets.SequenceLengths;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.BaseModelArtifacts;
import io.finetide.platform.tasks.BaseCatalogue;
import io.finetide.platform.tasks.Directory;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;
import io.finetide.training.bases.BaseModels;
import io.finetide.training.config.TrainingServiceConfig;

/**
 * Prepares a run of a task on a snapshot: a candidate's run, or a study's trial (the same task with other
 * hyper-parameters), so that both start from the same place.
 */
@ApplicationScoped
public class RunSetup {

    private static final Logger LOG = Logger.getLogger(RunSetup.class);

    @Inject
    Directory directory;

    @Inject
    BaseModels baseModels;

    @Inject
    ArtifactStore artifacts;

    @Inject
    TrainingServiceConfig config;

    /** The caller closes the result (its tokenizer). */
    public PreparedRun prepare(TaskDefinitionEvent declared, DatasetSnapshotEvent snapshot) {
        TaskDefinitionEvent task = SequenceLengths.readAt(declared, snapshot.getSequenceLength());
        List<SnapshotFile.Row> rows = SnapshotFile.read(artifacts.require(snapshot.getArtifact()));
        RunData data = data(task, rows);
        TrainingConfig hp = Models.training(task.getHyperParameters(), config.patience(), config.threads());
        Base base = base(task, data, hp.seed());
        Tokenizer tokenizer = base.tokenizer(task);
        try {
            HeadSpec head = head(data, base.pooling());
            // The configuration first, from the declared shape: the base's weights are only read when there is no
            // champion of that configuration to continue from.
            TransformerConfig modelConfig = base.config(task, tokenizer, head);
            Optional<PreparedRun.Champion> champion = continuable(task.getName(), modelConfig, data.outputs());
            Weights initial = champion.map(c -> c.bundle().weights()).orElseGet(() -> base.weights(modelConfig, head,
                    task, hp.seed()));
            return new PreparedRun(data, hp, Models.strategy(task.getHyperParameters()), base, tokenizer, modelConfig,
                    champion, initial);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * The run's examples. A generation task's base is an uploaded GPT-2, a sequence-to-sequence or text-to-text
     * task's an uploaded T5 (task validation): their configs name the tokens the model writes text with.
     */
    private RunData data(TaskDefinitionEvent task, List<SnapshotFile.Row> rows) {
        if (task.getType() == TaskType.TEXT_GENERATION) {
            return new RunData(List.of(), RunData.Completions.of(rows, baseModels.endOfText(uploadedName(task))));
        }
        if (task.getType() == TaskType.SEQ2SEQ) {
            BaseModels.TextTokens tokens = baseModels.textTokens(uploadedName(task));
            return new RunData(List.of(), RunData.Targets.of(rows, tokens.endOfText(), tokens.decoderStart()));
        }
        if (task.getModel().getArchitecture().equals(BaseCatalogue.ARCHITECTURE_ENCODER_DECODER)) {
            BaseModels.TextTokens tokens = baseModels.textTokens(uploadedName(task));
            return new RunData(task.getLabelsList(), RunData.TextToText.of(task, rows, tokens.endOfText(), tokens
                    .decoderStart()));
        }
        return RunData.of(task, rows);
    }

    private static String uploadedName(TaskDefinitionEvent task) {
        return BaseModelArtifacts.uploadedName(task.getModel().getBaseModel()).orElseThrow();
    }

    /**
     * The head the run's examples need: a language model for a writer or a text-to-text classifier, a tagger's, or a
     * classifier's pooled so.
     */
    private static HeadSpec head(RunData data, Pooling pooling) {
        if (data.examples() instanceof RunData.Completions || data.examples() instanceof RunData.TextToText
                || data.examples() instanceof RunData.Targets) {
            return HeadSpec.languageModel();
        }
        return data.tagging()
                ? HeadSpec.tokens(data.outputs().size())
                : HeadSpec.sequence(data.outputs().size(), pooling);
    }

    /** The task's base: random, shipped, or uploaded (its folder read with the task's head). */
    private Base base(TaskDefinitionEvent task, RunData data, long seed) {
        String name = task.getModel().getBaseModel();
        if (name.equals(BaseCatalogue.BASE_RANDOM)) {
            return new Base.Random(name);
        }
        Optional<String> uploaded = BaseModelArtifacts.uploadedName(name);
        if (uploaded.isPresent()) {
            return new Base.Uploaded(name, baseModels.load(uploaded.get(), head(data, Pooling.parse(baseModels
                    .pooling(uploaded.get()))), task.getHyperParameters().getDropout(), seed));
        }
        return new Base.Shipped(name);
    }

    /** The task's champion, when it still has the configuration and labels to continue from (incremental). */
    private Optional<PreparedRun.Champion> continuable(String task, TransformerConfig modelConfig,
            List<String> outputs) {
        Optional<ModelPromotedEvent> champion = directory.champions().get(task);
        if (champion.isEmpty()) {
            return Optional.empty();
        }
        ModelBundle parent = ModelBundle.fromBytes(artifacts.require(champion.get().getArtifact()));
        if (parent.config().equals(modelConfig) && parent.labels().equals(outputs)) {
            return Optional.of(new PreparedRun.Champion(champion.get().getModelId(), parent));
        }
        LOG.warnf("champion %s has another shape than task %s now; training from the base", champion.get()
                .getModelId(), task);
        return Optional.empty();
    }

}
