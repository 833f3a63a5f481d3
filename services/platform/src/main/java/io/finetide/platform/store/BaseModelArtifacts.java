package io.finetide.platform.store;

import java.util.List;
import java.util.Optional;

import org.bson.Document;

import io.finetide.platform.tasks.BaseCatalogue;
import io.finetide.proto.v1.ModelSpec;

/**
 * Where uploaded base models live in the artifact store, shared by the services that read them: the training service
 * stores a Hugging Face folder as {@code base-models/<name>/folder.zip} (its shape in the file's metadata) and its
 * tokenizer as {@code base-models/<name>/tokenizer.json}; ingestion resolves a task's {@code user/<name>} base to its
 * shape, preprocessing loads the tokenizer. A name is written once: an upload never changes under a task.
 */
public final class BaseModelArtifacts {

    /** Metadata keys of the folder artifact. */
    public static final String NAME = "name";
    public static final String SHA256 = "sha256";
    public static final String POOLING = "pooling";
    public static final String LAYERS = "layers";
    public static final String HIDDEN_SIZE = "hiddenSize";
    public static final String HEADS = "heads";
    public static final String FFN_SIZE = "ffnSize";
    public static final String VOCAB_SIZE = "vocabSize";
    public static final String MAX_POSITIONS = "maxPositions";
    public static final String ARCHITECTURE = "architecture";

    private BaseModelArtifacts() {
    }

    public static String folder(String name) {
        return "base-models/" + name + "/folder.zip";
    }

    public static String tokenizer(String name) {
        return "base-models/" + name + "/tokenizer.json";
    }

    /** The upload's name in a task's base ({@code user/<name>}), or empty for any other base. */
    public static Optional<String> uploadedName(String base) {
        return base.startsWith(BaseCatalogue.USER_BASE_PREFIX)
                ? Optional.of(base.substring(BaseCatalogue.USER_BASE_PREFIX.length()))
                : Optional.empty();
    }

    /**
     * The stored description of an uploaded base, or empty. An upload is complete once its tokenizer is stored too:
     * the folder is written first (its name is the claim on the base's name) and the tokenizer after it.
     */
    public static Optional<BaseModelRecord> metadata(ArtifactStore store, String name) {
        return claimed(store, name).filter(m -> store.find(tokenizer(name)).isPresent());
    }

    /** The description stored with the folder, whether or not the upload went on to store the tokenizer. */
    public static Optional<BaseModelRecord> claimed(ArtifactStore store, String name) {
        return store.find(folder(name)).map(f -> BaseModelRecord.of(f.getMetadata() == null
                ? new Document()
                : f.getMetadata()));
    }

    /** Every uploaded base whose upload is complete. */
    public static List<BaseModelRecord> all(ArtifactStore store) {
        return store.findMatching("^base-models/[^/]+/folder\\.zip$").stream().map(f -> BaseModelRecord.of(f
                .getMetadata() == null ? new Document() : f.getMetadata())).filter(m -> store.find(tokenizer(m
                        .name())).isPresent())
                .toList();
    }

    /** Resolves the shipped bases and, from {@code store}, the uploaded ones. */
    public static BaseCatalogue.BaseResolver resolver(ArtifactStore store) {
        return base -> {
            Optional<String> name = uploadedName(base);
            if (name.isEmpty()) {
                return BaseCatalogue.BUILTIN_BASES.resolve(base);
            }
            return metadata(store, name.get()).map(m -> ModelSpec.newBuilder().setTokenizer(base).setLayers(m
                    .layers()).setHiddenSize(m.hiddenSize()).setHeads(m.heads()).setFfnSize(m.ffnSize()).setMaxSeqLen(m
                            .maxPositions())
                    .setArchitecture(m.architecture())
                    .build())
                    .orElse(null);
        };
    }
}
