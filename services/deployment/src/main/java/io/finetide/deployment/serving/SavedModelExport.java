package io.finetide.deployment.serving;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.deployment.cards.ModelCard;
import io.finetide.deployment.cards.ModelCardMarkdown;
import io.finetide.deployment.cards.ModelCards;
import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.deployment.store.ModelStore;
import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.export.SavedModels;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.platform.files.FileTrees;
import io.finetide.platform.store.ArtifactStore;

/**
 * A registered model as a TensorFlow SavedModel, for serving stacks outside Finetide: a zip of {@code saved_model/}
 * (tag {@code serve}, signature {@code serving_default}: input_ids, attention_mask, token_type_ids to probabilities),
 * the tokenizer, the labels in output order, the calibration temperature and, once the model was judged, its model
 * card (Markdown and JSON).
 */
@ApplicationScoped
public class SavedModelExport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    RegistryService registry;

    @Inject
    ArtifactStore artifacts;

    @Inject
    ModelStore store;

    @Inject
    DeploymentConfig config;

    /** The model, if the task has one of that id. */
    public Optional<ModelRecord> find(String task, String modelId) {
        return registry.models(task).stream().filter(m -> m.modelId().equals(modelId)).findFirst();
    }

    /** The registered model's bundle. */
    public ModelBundle bundle(ModelRecord model) {
        return ModelBundle.fromBytes(artifacts.require(model.artifact()));
    }

    /**
     * Why {@code bundle} has no SavedModel this export describes, or empty when it has one. A writer's and a
     * text-to-text classifier's graph answers over the vocabulary, given the tokens written so far: what it computes
     * is not labels, and what makes labels or text of it (the decoding, the label words) is Finetide's code.
     */
    public static Optional<String> unexportable(ModelBundle bundle) {
        if (bundle.generates()) {
            return Optional.of("it writes completions: its graph gives next-token scores, and the decoding is not in "
                    + "it");
        }
        if (bundle.config().encoderDecoder()) {
            return Optional.of("it classifies text to text: its graph scores words, and ranking the label words is "
                    + "not in it");
        }
        return Optional.empty();
    }

    /** Writes the zip to {@code out}; the SavedModel is built in a temporary directory, removed afterwards. */
    public void write(ModelRecord model, ModelBundle bundle, OutputStream out) throws IOException {
        Optional<ModelCard> card = store.evaluation(model.modelId()).map(v -> ModelCards.of(model, v));
        Path dir = Files.createTempDirectory("finetide-savedmodel-");
        try {
            Path saved = dir.resolve("saved_model");
            try (TransformerGraph graph = TransformerGraph.create(bundle.config(), bundle.weights(), GraphOptions
                    .inference(config.threads()))) {
                SavedModels.export(graph, saved);
            }
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                try (Stream<Path> files = Files.walk(saved)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        zip.putNextEntry(new ZipEntry("saved_model/" + saved.relativize(f).toString().replace('\\',
                                '/')));
                        Files.copy(f, zip);
                        zip.closeEntry();
                    }
                }
                entry(zip, "tokenizer.json", bundle.tokenizerJson());
                entry(zip, "labels.json", JSON.writeValueAsBytes(bundle.labels()));
                card.ifPresent(c -> {
                    try {
                        entry(zip, "MODEL_CARD.md", ModelCardMarkdown.render(c).getBytes(StandardCharsets.UTF_8));
                        entry(zip, "model-card.json", JSON.writeValueAsBytes(c));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                entry(zip, "calibration.json", JSON.writeValueAsBytes(java.util.Map.of(ModelBundle.TEMPERATURE,
                        bundle.temperature())));
                entry(zip, "README.txt", ("Model " + model.modelId() + " of task " + model.task() + ".\n"
                        + "saved_model/: tag 'serve', signature 'serving_default': input_ids (int32 [batch, time]), "
                        + "attention_mask (float32, 1 for real tokens), token_type_ids (int32, zeros) -> "
                        + "probabilities (float32 [batch, labels], labels in labels.json order).\n"
                        + "tokenizer.json: the Hugging Face tokenizer the model was trained with (at most "
                        + bundle.maxSeqLength() + " tokens, truncation " + bundle.truncation() + ").\n"
                        + "calibration.json: the temperature T fitted on the validation split. The SavedModel's "
                        + "probabilities are before it; Finetide's API answers softmax(log(p) / T), which keeps the "
                        + "arg max and makes the probabilities match observed frequencies.\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            FileTrees.delete(dir);
        }
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }
}
