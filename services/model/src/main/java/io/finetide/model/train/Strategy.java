package io.finetide.model.train;

import java.util.LinkedHashSet;
import java.util.Set;

import io.finetide.model.encoder.EncoderConfig;
import io.finetide.model.encoder.ParamSpec;

/**
 * Which parameters a fine-tuning run updates; the others receive no gradient and keep their values bit for bit.
 *
 * @param topLayers with {@code head}: also train the top {@code topLayers} encoder layers; -1 trains everything
 */
public record Strategy(String name, int topLayers) {

    public static Strategy full() {
        return new Strategy("full", -1);
    }

    /** Only the classification head: the encoder is a frozen feature extractor. */
    public static Strategy headOnly() {
        return new Strategy("head", 0);
    }

    /** The head and the top {@code k} encoder layers (layer-wise freezing from the bottom). */
    public static Strategy topLayers(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k needs k >= 1, got " + k);
        }
        return new Strategy("top-" + k, k);
    }

    public Set<String> trainable(EncoderConfig config) {
        Set<String> names = new LinkedHashSet<>();
        int firstTrained = topLayers < 0 ? 0 : Math.max(0, config.layers() - topLayers);
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            if (topLayers < 0 || p.name().startsWith(ParamSpec.CLASSIFIER)) {
                names.add(p.name());
                continue;
            }
            for (int layer = firstTrained; layer < config.layers(); layer++) {
                if (p.name().startsWith(ParamSpec.layer(layer))) {
                    names.add(p.name());
                }
            }
        }
        return names;
    }
}
