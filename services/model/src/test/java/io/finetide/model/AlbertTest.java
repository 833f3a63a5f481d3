package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.model.bundle.ConfigJson;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/** ALBERT as a configuration of the encoder: factorised embeddings and cross-layer parameter sharing. */
class AlbertTest {

    @Test
    void sharingAndFactorisingShrinkTheModelAsCounted() {
        TransformerConfig bert = TransformerConfig.encoderBuilder().vocabSize(1000).maxPositions(64).typeVocabSize(2)
                .hiddenSize(64).layers(4).heads(4).intermediateSize(256).labels(2).pooling(Pooling.MEAN).dropout(0.1)
                .layerNormEps(1e-12).build();
        TransformerConfig albert = TransformerConfig.encoderBuilder().vocabSize(1000).maxPositions(64).typeVocabSize(2)
                .hiddenSize(64).layers(4).heads(4).intermediateSize(256).labels(2).pooling(Pooling.MEAN).dropout(0.1)
                .layerNormEps(1e-12).embeddingSize(16).shareLayers(true).build();
        for (TransformerConfig c : List.of(bert, albert)) {
            long specified = ParamSpec.forConfig(c).stream().mapToLong(ParamSpec::size).sum();
            assertThat(c.parameterCount()).isEqualTo(specified);
        }
        long layer = 4 * (64 * 64 + 64) + 2 * 64 * 256 + 256 + 64 + 4 * 64;
        long embeddings = (1000 + 64 + 2) * (64 - 16) + 2 * (64 - 16);
        // Three layers fewer, smaller embeddings, plus the 16 -> 64 projection.
        assertThat(bert.parameterCount() - albert.parameterCount()).isEqualTo(3 * layer + embeddings - (16 * 64
                + 64));
        assertThat(ParamSpec.forConfig(albert)).extracting(ParamSpec::name).contains(ParamSpec.SHARED_LAYER
                + "attention.self.query.weight", ParamSpec.EMBEDDING_PROJECTION + ".weight").noneMatch(
                        n -> n
                                .startsWith("encoder.layer."));
        // Top-k of shared layers trains the shared set (any unfrozen layer uses it), and the head.
        assertThat(Strategy.topLayers(1).trainable(albert)).contains(ParamSpec.SHARED_LAYER + "output.dense.weight",
                "classifier.weight").doesNotContain(ParamSpec.EMBEDDING_PROJECTION + ".weight");
    }

    @Test
    void anAlbertConfigurationLearnsATask() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16)) {
            TransformerConfig config = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize())
                    .maxPositions(16).typeVocabSize(2).hiddenSize(32).layers(3).heads(2).intermediateSize(64).labels(2)
                    .pooling(Pooling.MEAN).dropout(0.1).layerNormEps(1e-12).embeddingSize(16).shareLayers(true).build();
            List<LabelledText> train = EncoderTrainingTest.data(320, 1);
            List<LabelledText> validation = EncoderTrainingTest.data(100, 2);
            Trainer.Result r = Trainer.train(config, Weights.initialise(config, 42), tokenizer, train, validation,
                    EncoderTrainingTest.hp(), TrainingListener.NONE);
            assertThat(r.best().validationScore()).isGreaterThanOrEqualTo(0.9);
        }
    }

    @Test
    void bundlesWrittenBeforeAlbertReadAsBert() throws Exception {
        // A configuration as older bundles stored it: no embeddingSize, no shareLayers.
        String old = "{\"vocabSize\":30,\"maxPositions\":16,\"typeVocabSize\":2,\"hiddenSize\":8,\"layers\":2,"
                + "\"heads\":2,\"intermediateSize\":12,\"numLabels\":2,\"pooling\":\"mean\",\"dropout\":0.1,"
                + "\"layerNormEps\":1e-12}";
        TransformerConfig read = ConfigJson.read(new ObjectMapper().readValue(old, java.util.Map.class));
        assertThat(read).isEqualTo(TransformerConfig.encoderBuilder().vocabSize(30).maxPositions(16).typeVocabSize(2)
                .hiddenSize(8).layers(2).heads(2).intermediateSize(12).labels(2).pooling(Pooling.MEAN).dropout(0.1)
                .layerNormEps(1e-12).build());
        assertThat(read.embeddingSize()).isEqualTo(8);
        assertThat(read.shareLayers()).isFalse();
    }
}
