package io.finetide.model.pretrained;

import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Weights;

/**
 * How Hugging Face names and lays out a BERT-family parameter, and the graph's own name and layout for it: prefixes,
 * the old gamma/beta LayerNorm names, ALBERT's shared-layer names, and PyTorch's [out, in] linear weights.
 */
final class HuggingFaceNames {

    private HuggingFaceNames() {
    }

    /** Hugging Face's many spellings of one parameter, in the graph's naming. */
    static String canonical(String name) {
        String n = name.startsWith("bert.")
                ? name.substring(5)
                : name.startsWith("albert.")
                        ? name.substring(7)
                        : name;
        String albertLayer = "encoder.albert_layer_groups.0.albert_layers.0.";
        if (n.startsWith(albertLayer)) {
            // ALBERT's one shared layer, in BERT's sub-names.
            String rest = n.substring(albertLayer.length());
            for (String[] m : ALBERT_NAMES) {
                if (rest.startsWith(m[0])) {
                    return ParamSpec.SHARED_LAYER + m[1] + rest.substring(m[0].length());
                }
            }
        }
        if (n.contains("LayerNorm.gamma")) {
            n = n.replace("LayerNorm.gamma", "LayerNorm.weight");
        } else if (n.contains("LayerNorm.beta")) {
            n = n.replace("LayerNorm.beta", "LayerNorm.bias");
        }
        return n;
    }

    /** ALBERT's layer sub-names and BERT's (longest first where one is the start of another). */
    private static final String[][] ALBERT_NAMES = {{"attention.query.", "attention.self.query."}, {"attention.key.",
            "attention.self.key."}, {"attention.value.", "attention.self.value."},
            {"attention.dense.",
                    "attention.output.dense."},
            {"attention.LayerNorm.", "attention.output.LayerNorm."}, {
                    "ffn_output.", "output.dense."},
            {"ffn.", "intermediate.dense."}, {
                    "full_layer_layer_norm.", "output.LayerNorm."}};

    /** Linear layers' weights (not embeddings or LayerNorms): PyTorch stores them [out, in]. */
    static boolean isLinear(String name) {
        return name.endsWith(".weight") && !name.startsWith("embeddings.") && !name.contains("LayerNorm");
    }

    static Weights.Tensor transpose(Weights.Tensor t) {
        int rows = t.shape()[0];
        int cols = t.shape()[1];
        float[] v = t.values();
        float[] out = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = v[r * cols + c];
            }
        }
        return new Weights.Tensor(new int[]{cols, rows}, out);
    }
}
