package io.finetide.model.bundle;

import java.util.LinkedHashMap;
import java.util.Map;

import io.finetide.model.transformer.Activation;
import io.finetide.model.transformer.Architecture;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;

/**
 * A configuration as model bundles store it, unchanged since format 1 so that every stored bundle still reads: the
 * sizes by name, the architecture, activation and pooling as lower-case words, where the pooling word also names a
 * per-position head ({@code token}, {@code lm}). Fields a bundle predates read as their defaults.
 */
public final class ConfigJson {

    private static final String TOKEN = "token";
    private static final String LANGUAGE_MODEL = "lm";

    private ConfigJson() {
    }

    public static Map<String, Object> write(TransformerConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocabSize", c.vocabSize());
        m.put("maxPositions", c.maxPositions());
        m.put("typeVocabSize", c.typeVocabSize());
        m.put("hiddenSize", c.hiddenSize());
        m.put("layers", c.layers());
        m.put("heads", c.heads());
        m.put("intermediateSize", c.intermediateSize());
        m.put("numLabels", c.numLabels());
        m.put("pooling", switch (c.head()) {
            case TOKEN -> TOKEN;
            case LANGUAGE_MODEL -> LANGUAGE_MODEL;
            case SEQUENCE -> c.pooling().wireName();
        });
        m.put("dropout", c.dropout());
        m.put("layerNormEps", c.layerNormEps());
        m.put("embeddingSize", c.embeddingSize());
        m.put("shareLayers", c.shareLayers());
        m.put("architecture", c.architecture().wireName());
        m.put("relativeBuckets", c.relativeBuckets());
        m.put("relativeMaxDistance", c.relativeMaxDistance());
        m.put("activation", c.activation().hiddenAct());
        return m;
    }

    public static TransformerConfig read(Map<?, ?> m) {
        Architecture architecture = Architecture.parse((String) m.get("architecture"));
        String pooling = (String) m.get("pooling");
        Head head = switch (pooling) {
            case TOKEN -> Head.TOKEN;
            case LANGUAGE_MODEL -> Head.LANGUAGE_MODEL;
            default -> Head.SEQUENCE;
        };
        String activation = (String) m.get("activation");
        return new TransformerConfig(architecture, integer(m, "vocabSize"), integer(m, "maxPositions"), integer(m,
                "typeVocabSize"), integer(m, "hiddenSize"), integer(m, "layers"), integer(m, "heads"),
                integer(m,
                        "intermediateSize"),
                integer(m, "numLabels"), head, head == Head.SEQUENCE
                        ? Pooling.parse(pooling)
                        : Pooling.MEAN,
                activation == null || activation.isBlank() ? null : Activation.parse(activation), number(m,
                        "dropout"),
                number(m, "layerNormEps"), integer(m, "embeddingSize"), Boolean.TRUE.equals(m
                        .get("shareLayers")),
                integer(m, "relativeBuckets"), integer(m,
                        "relativeMaxDistance"));
    }

    private static int integer(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v == null ? 0 : ((Number) v).intValue();
    }

    private static double number(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("the bundle's configuration has no " + key);
        }
        return ((Number) v).doubleValue();
    }
}
