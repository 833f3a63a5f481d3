package io.finetide.training.bases;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.model.pretrained.FolderArchive;
import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.pretrained.HuggingFaceLanguageModels;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.tokenizer.Truncation;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.platform.events.Hashing;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.BaseModelArtifacts;
import io.finetide.platform.store.BaseModelRecord;
import io.finetide.platform.tasks.BaseCatalogue;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.training.metrics.TrainingMetrics;

/**
 * Base models users upload: a BERT-family, GPT-2 or T5 Hugging Face folder (config.json, model.safetensors,
 * tokenizer.json) as a zip (a GPT-2 always with a last-token head, a T5 with its language-model head, whatever pooling
 * is asked), checked by reading it as training will (every tensor, the tokenizer) before anything is stored. A task then
 * names it {@code user/<name>}. Names are immutable: the same archive again is a no-op, another one is a conflict,
 * so a model's lineage ({@code baseModel}) always means one set of weights.
 */
@ApplicationScoped
public class BaseModels {

    private static final Logger LOG = Logger.getLogger(BaseModels.class);
    public static final Set<String> POOLINGS = Set.of("mean", "cls");

    public static class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }

    /** @param created false when the same archive was there already */
    public record Stored(boolean created, BaseModelRecord description) {
    }

    @Inject
    ArtifactStore artifacts;

    @Inject
    TrainingMetrics metrics;

    /**
     * @throws IllegalArgumentException when the name, pooling or archive is unusable (the message says why)
     * @throws ConflictException        when the name holds another archive
     */
    public Stored upload(String name, byte[] zip, String pooling) {
        try {
            Stored stored = store(name, zip, pooling);
            metrics.baseUpload(stored.created() ? "created" : "unchanged");
            return stored;
        } catch (ConflictException e) {
            metrics.baseUpload("conflict");
            throw e;
        } catch (IllegalArgumentException e) {
            metrics.baseUpload("invalid");
            throw e;
        }
    }

    private Stored store(String name, byte[] zip, String pooling) {
        if (!TaskDefinitions.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a base model's name must match " + TaskDefinitions.NAME.pattern());
        }
        String type = HuggingFaceFolder.modelType(zip);
        boolean decoder = type.equals("gpt2");
        boolean textToText = type.equals("t5");
        if (decoder) {
            // A decoder's state at the last real token is the only one that has read the whole text.
            pooling = Pooling.LAST.wireName();
        } else if (textToText) {
            // Nothing is pooled: the decoder writes the label. Recorded as the graph's own default for the family.
            pooling = Pooling.MEAN.wireName();
        } else if (!POOLINGS.contains(pooling)) {
            throw new IllegalArgumentException("pooling must be one of " + POOLINGS + ", got '" + pooling + "'");
        }
        String sha = Hashing.sha256Hex(zip);
        Optional<Stored> known = against(BaseModelArtifacts.claimed(artifacts, name), name, sha, pooling, null);
        if (known.isPresent()) {
            return known.get();
        }
        HuggingFaceFolder.Loaded loaded = HuggingFaceFolder.readZip(zip, uploadHead(textToText, pooling), 0.1, 1);
        String base = BaseCatalogue.USER_BASE_PREFIX + name;
        try (Tokenizer tokenizer = Tokenizer.fromJson(base, loaded.tokenizerJson(), 512, Truncation.HEAD)) {
            if (tokenizer.vocabSize() > loaded.config().vocabSize()) {
                throw new IllegalArgumentException("tokenizer.json has " + tokenizer.vocabSize() + " entries, the "
                        + "model's embeddings only " + loaded.config().vocabSize());
            }
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("tokenizer.json cannot be loaded: " + e.getMessage());
        }
        var c = loaded.config();
        BaseModelRecord meta = new BaseModelRecord(name, sha, pooling, c.layers(), c.hiddenSize(), c.heads(), c
                .intermediateSize(), c.vocabSize(), c.maxPositions(),
                decoder
                        ? BaseCatalogue.ARCHITECTURE_DECODER
                        : textToText ? BaseCatalogue.ARCHITECTURE_ENCODER_DECODER : BaseCatalogue.ARCHITECTURE_ENCODER);
        // The folder first: its unique name is the claim on the base's name, so that of two uploads racing for one
        // name exactly one stores its archive; the tokenizer after it completes the upload (a reader sees the base
        // only then, and an upload of the same archive again completes one a crash cut short).
        if (!artifacts.putOnce(BaseModelArtifacts.folder(name), zip, meta.metadata())) {
            return against(BaseModelArtifacts.claimed(artifacts, name), name, sha, pooling, loaded.tokenizerJson())
                    .orElseThrow();
        }
        artifacts.putOnce(BaseModelArtifacts.tokenizer(name), loaded.tokenizerJson(), Map.of(BaseModelArtifacts.NAME,
                name));
        LOG.infof("base model %s stored: %d layers, hidden %d, %d parameters, ignored %s", name, c.layers(), c
                .hiddenSize(), c.parameterCount(), loaded.ignored());
        return new Stored(true, meta);
    }

    /**
     * What an upload of {@code sha} and {@code pooling} is, given what {@code existing} holds under the name: empty
     * when nothing does; unchanged when the same (its tokenizer stored if a crash had cut the upload short, from
     * {@code tokenizerJson} or, when not read yet, the archive); a conflict otherwise.
     */
    private Optional<Stored> against(Optional<BaseModelRecord> existing, String name, String sha, String pooling,
            byte[] tokenizerJson) {
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        if (!sha.equals(existing.get().sha256()) || !pooling.equals(existing.get().pooling())) {
            throw new ConflictException("base model '" + name + "' exists with another archive or pooling; upload "
                    + "under a new name");
        }
        if (artifacts.find(BaseModelArtifacts.tokenizer(name)).isEmpty()) {
            byte[] json = tokenizerJson != null
                    ? tokenizerJson
                    : HuggingFaceFolder.readZip(artifacts.require(BaseModelArtifacts.folder(name)), uploadHead(
                            existing.get().architecture().equals(BaseCatalogue.ARCHITECTURE_ENCODER_DECODER), pooling),
                            0.1, 1).tokenizerJson();
            artifacts.putOnce(BaseModelArtifacts.tokenizer(name), json, Map.of(BaseModelArtifacts.NAME, name));
        }
        return Optional.of(new Stored(false, existing.get()));
    }

    /** The head an upload is read with to check it: a T5's language model, or a classifier's pooled so. */
    private static HeadSpec uploadHead(boolean textToText, String pooling) {
        return textToText
                ? HeadSpec.languageModel()
                : HeadSpec.sequence(2, Pooling.parse(pooling));
    }

    public List<BaseModelRecord> all() {
        return BaseModelArtifacts.all(artifacts);
    }

    public Optional<BaseModelRecord> find(String name) {
        return BaseModelArtifacts.metadata(artifacts, name);
    }

    /** The pooling an uploaded base was registered with. */
    public String pooling(String name) {
        return require(name).pooling();
    }

    public byte[] tokenizer(String name) {
        return artifacts.require(BaseModelArtifacts.tokenizer(name));
    }

    /** The uploaded folder as a model with {@code head} (fresh unless the folder has one of that shape). */
    public HuggingFaceFolder.Loaded load(String name, HeadSpec head, double dropout, long seed) {
        return HuggingFaceFolder.readZip(artifacts.require(BaseModelArtifacts.folder(name)), head, dropout, seed);
    }

    /** The end-of-text token an uploaded GPT-2's or T5's config names (the family's own when it names none). */
    public int endOfText(String name) {
        return HuggingFaceLanguageModels.endOfText(config(name), require(name).vocabSize());
    }

    /** The tokens an uploaded T5 writes text with: where its decoder starts and what ends what it writes. */
    public record TextTokens(int endOfText, int decoderStart) {
    }

    /** An uploaded T5's {@link TextTokens}, from one read of its config. */
    public TextTokens textTokens(String name) {
        byte[] config = config(name);
        int vocab = require(name).vocabSize();
        return new TextTokens(HuggingFaceLanguageModels.endOfText(config, vocab), HuggingFaceLanguageModels
                .decoderStart(config, vocab));
    }

    private byte[] config(String name) {
        return FolderArchive.file(artifacts.require(BaseModelArtifacts.folder(name)), "config.json");
    }

    private BaseModelRecord require(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException("no uploaded base model '" + name + "'"));
    }
}
