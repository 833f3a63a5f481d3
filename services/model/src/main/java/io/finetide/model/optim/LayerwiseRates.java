package io.finetide.model.optim;

import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;

/**
 * Discriminative fine-tuning: the head learns at the full rate, the top layer at {@code decay} times it, each layer
 * below at {@code decay} times the one above, the embeddings below the lowest.
 */
public final class LayerwiseRates {

    private LayerwiseRates() {
    }

    /** The learning-rate factor of parameter {@code name}. */
    public static double scale(TransformerConfig config, double decay, String name) {
        if (decay == 1.0 || name.startsWith(ParamSpec.CLASSIFIER) || name.startsWith(ParamSpec.FINAL_LN)) {
            return 1.0;
        }
        int layers = config.layers();
        if (config.encoderDecoder()) {
            // Depth order: shared embeddings, encoder blocks, decoder blocks; each stack's final norm with its top
            // block.
            if (name.startsWith(ParamSpec.T5_DECODER + ParamSpec.FINAL_NORM)) {
                return 1.0;
            }
            if (name.startsWith(ParamSpec.T5_ENCODER + ParamSpec.FINAL_NORM)) {
                return Math.pow(decay, layers);
            }
            for (int l = 0; l < layers; l++) {
                if (name.startsWith(ParamSpec.block(ParamSpec.T5_DECODER, l))) {
                    return Math.pow(decay, layers - l);
                }
                if (name.startsWith(ParamSpec.block(ParamSpec.T5_ENCODER, l))) {
                    return Math.pow(decay, 2 * layers - l);
                }
            }
            return Math.pow(decay, 2 * layers + 1);
        }
        if (name.startsWith(ParamSpec.SHARED_LAYER)) {
            // Every layer runs on the shared parameters: they cannot learn at per-layer rates.
            return decay;
        }
        for (int l = 0; l < layers; l++) {
            if (name.startsWith(ParamSpec.layer(l))) {
                return Math.pow(decay, layers - l);
            }
        }
        // Embeddings (and their layer norm) sit below the lowest layer.
        return Math.pow(decay, layers + 1);
    }
}
