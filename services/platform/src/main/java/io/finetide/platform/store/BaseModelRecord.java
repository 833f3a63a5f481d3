package io.finetide.platform.store;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bson.Document;

/**
 * An uploaded base model as its folder artifact's metadata describes it: the archive's hash, the pooling it was
 * registered with and the shape a task takes from it, and its architecture (a BERT-family encoder, or a GPT-2
 * decoder; an upload from before architectures were recorded is an encoder).
 */
public record BaseModelRecord(String name, String sha256, String pooling, int layers, int hiddenSize, int heads,
        int ffnSize, int vocabSize, int maxPositions, String architecture) {

    /** The artifact metadata, under the keys of {@link BaseModelArtifacts}. */
    public Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(BaseModelArtifacts.NAME, name);
        m.put(BaseModelArtifacts.SHA256, sha256);
        m.put(BaseModelArtifacts.POOLING, pooling);
        m.put(BaseModelArtifacts.LAYERS, layers);
        m.put(BaseModelArtifacts.HIDDEN_SIZE, hiddenSize);
        m.put(BaseModelArtifacts.HEADS, heads);
        m.put(BaseModelArtifacts.FFN_SIZE, ffnSize);
        m.put(BaseModelArtifacts.VOCAB_SIZE, vocabSize);
        m.put(BaseModelArtifacts.MAX_POSITIONS, maxPositions);
        m.put(BaseModelArtifacts.ARCHITECTURE, architecture);
        return m;
    }

    static BaseModelRecord of(Document m) {
        return new BaseModelRecord(m.getString(BaseModelArtifacts.NAME), m.getString(BaseModelArtifacts.SHA256), m
                .getString(BaseModelArtifacts.POOLING), m.getInteger(BaseModelArtifacts.LAYERS, 0),
                m.getInteger(
                        BaseModelArtifacts.HIDDEN_SIZE, 0),
                m.getInteger(BaseModelArtifacts.HEADS, 0), m.getInteger(
                        BaseModelArtifacts.FFN_SIZE, 0),
                m.getInteger(BaseModelArtifacts.VOCAB_SIZE, 0), m
                        .getInteger(BaseModelArtifacts.MAX_POSITIONS, 0),
                m.get(BaseModelArtifacts.ARCHITECTURE,
                        io.finetide.platform.tasks.BaseCatalogue.ARCHITECTURE_ENCODER));
    }
}
