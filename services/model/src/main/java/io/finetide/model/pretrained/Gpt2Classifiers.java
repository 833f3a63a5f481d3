package io.finetide.model.pretrained;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A GPT-2 folder read as a sequence classifier: the decoder's weights as the language-model import reads them, and a
 * fresh classifier on the last real token's state (the only one that has seen the whole text, as Hugging Face's
 * {@code GPT2ForSequenceClassification} reads it). The tied language-model head is left out; or, with the
 * language-model head asked for, the decoder as it writes text.
 */
final class Gpt2Classifiers {

    private Gpt2Classifiers() {
    }

    static HuggingFaceFolder.Loaded read(Function<String, byte[]> files, UnaryOperator<String> names, HeadSpec head,
            double dropout, long seed) {
        String configName = names.apply("config.json");
        if (head.head() != Head.SEQUENCE && head.head() != Head.LANGUAGE_MODEL) {
            throw new IllegalArgumentException(configName + ": a GPT-2 base classifies whole texts (a last-token "
                    + "head); token tagging needs an encoder");
        }
        HuggingFaceLanguageModels.Loaded lm = HuggingFaceLanguageModels.gpt2(HuggingFaceConfigs.readJson(files.apply(
                "config.json"), configName), SafeTensors.read(files.apply("model.safetensors"),
                        names.apply(
                                "model.safetensors")),
                files.apply("tokenizer.json"), configName, dropout);
        if (head.head() == Head.LANGUAGE_MODEL) {
            return new HuggingFaceFolder.Loaded(lm.config(), lm.weights(), lm.tokenizerJson(), List.copyOf(lm
                    .ignored()), true);
        }
        TransformerConfig config = lm.config().toBuilder().head(Head.SEQUENCE).pooling(Pooling.LAST).labels(head
                .labels()).build();
        Map<String, Weights.Tensor> weights = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            Weights.Tensor t = lm.weights().tensors().get(p.name());
            weights.put(p.name(), t != null ? t : PretrainedEncoders.head(p, seed));
        }
        return new HuggingFaceFolder.Loaded(config, new Weights(weights), lm.tokenizerJson(), List.copyOf(lm
                .ignored()), false);
    }
}
