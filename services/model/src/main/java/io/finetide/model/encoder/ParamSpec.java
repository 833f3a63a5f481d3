package io.finetide.model.encoder;

import java.util.ArrayList;
import java.util.List;

/**
 * One parameter of the model: Hugging Face BERT naming (a decoder reuses the layer names: its
 * {@code attention.output.LayerNorm} and {@code output.LayerNorm} are GPT-2's {@code ln_1} and {@code ln_2}, applied
 * before attention and the feed-forward), shape, initialiser and whether weight decay applies.
 */
public record ParamSpec(String name, int[] shape, Init init, boolean decayed) {

    public enum Init {
        NORMAL, ONES, ZEROS
    }

    public int size() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
    public static final String POSITION_EMBEDDINGS = "embeddings.position_embeddings.weight";
    public static final String TYPE_EMBEDDINGS = "embeddings.token_type_embeddings.weight";
    public static final String EMBEDDINGS_LN = "embeddings.LayerNorm";
    public static final String CLASSIFIER = "classifier";

    public static String layer(int i) {
        return "encoder.layer." + i + ".";
    }

    /** The prefix of the one set of layer parameters an ALBERT configuration shares across its layers. */
    public static final String SHARED_LAYER = "encoder.albert_layer.";
    public static final String EMBEDDING_PROJECTION = "encoder.embedding_hidden_mapping_in";
    /** A decoder's LayerNorm after its last layer (GPT-2's {@code ln_f}). */
    public static final String FINAL_LN = "decoder.final_LayerNorm";

    /** The parameters layer {@code i} runs with: its own, or the shared ones. */
    public static String layer(EncoderConfig c, int i) {
        return c.shareLayers() ? SHARED_LAYER : layer(i);
    }

    /** All parameters in graph-building order. Linear weights are [in, out] (x @ W), as in the ONNX exports. */
    public static List<ParamSpec> forConfig(EncoderConfig c) {
        int h = c.hiddenSize();
        int e = c.embeddingSize();
        List<ParamSpec> p = new ArrayList<>();
        p.add(new ParamSpec(WORD_EMBEDDINGS, new int[]{c.vocabSize(), e}, Init.NORMAL, true));
        p.add(new ParamSpec(POSITION_EMBEDDINGS, new int[]{c.maxPositions(), e}, Init.NORMAL, true));
        if (!c.decoder()) {
            p.add(new ParamSpec(TYPE_EMBEDDINGS, new int[]{c.typeVocabSize(), e}, Init.NORMAL, true));
            layerNorm(p, EMBEDDINGS_LN, e);
        }
        if (c.factorisedEmbeddings()) {
            linear(p, EMBEDDING_PROJECTION, e, h);
        }
        for (int i = 0; i < (c.shareLayers() ? 1 : c.layers()); i++) {
            String l = layer(c, i);
            linear(p, l + "attention.self.query", h, h);
            linear(p, l + "attention.self.key", h, h);
            linear(p, l + "attention.self.value", h, h);
            linear(p, l + "attention.output.dense", h, h);
            layerNorm(p, l + "attention.output.LayerNorm", h);
            linear(p, l + "intermediate.dense", h, c.intermediateSize());
            linear(p, l + "output.dense", c.intermediateSize(), h);
            layerNorm(p, l + "output.LayerNorm", h);
        }
        if (c.decoder()) {
            layerNorm(p, FINAL_LN, h);
        }
        if (!c.languageModel()) {
            linear(p, CLASSIFIER, h, c.numLabels());
        }
        return p;
    }

    private static void linear(List<ParamSpec> p, String prefix, int in, int out) {
        p.add(new ParamSpec(prefix + ".weight", new int[]{in, out}, Init.NORMAL, true));
        p.add(new ParamSpec(prefix + ".bias", new int[]{out}, Init.ZEROS, false));
    }

    private static void layerNorm(List<ParamSpec> p, String prefix, int h) {
        p.add(new ParamSpec(prefix + ".weight", new int[]{h}, Init.ONES, false));
        p.add(new ParamSpec(prefix + ".bias", new int[]{h}, Init.ZEROS, false));
    }
}
