package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.model.metrics.ClassificationReport;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/** A tiny encoder must learn a task that needs word identity and attention over positions, and do so reproducibly. */
class EncoderTrainingTest {

    static Tokenizer tokenizer;
    static TransformerConfig config;

    @BeforeAll
    static void setUp() {
        tokenizer = Tokenizer.builtin("minilm-l6", 32);
        config = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(32).typeVocabSize(2)
                .hiddenSize(32).layers(1).heads(2).intermediateSize(64).labels(2).pooling(Pooling.MEAN).dropout(0.0)
                .layerNormEps(1e-12).build();
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
    }

    /** Label 1 when the sentence mentions a fruit, 0 when it mentions a vehicle; filler words vary. */
    static List<LabelledText> data(int n, long seed) {
        String[] fruit = {"apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "plum"};
        String[] vehicle = {"car", "truck", "bus", "train", "bicycle", "boat", "plane", "tractor"};
        String[] filler = {"the", "a", "my", "big", "old", "new", "red", "green", "is", "was", "here", "there",
                "today", "yesterday", "very", "quite"};
        Random r = new Random(seed);
        List<LabelledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(2);
            StringBuilder sb = new StringBuilder();
            int len = 3 + r.nextInt(8);
            int pos = r.nextInt(len);
            for (int w = 0; w < len; w++) {
                if (w == pos) {
                    sb.append(label == 1 ? fruit[r.nextInt(8)] : vehicle[r.nextInt(8)]);
                } else {
                    sb.append(filler[r.nextInt(filler.length)]);
                }
                sb.append(' ');
            }
            out.add(new LabelledText(sb.toString().trim(), label));
        }
        return out;
    }

    static TrainingConfig hp() {
        return TrainingConfig.builder().learningRate(3e-3).batchSize(16).epochs(4).weightDecay(0.01).warmupRatio(0.1)
                .maxGradNorm(1.0).seed(42).dropout(0.1).patience(0).labelSmoothing(0.0).threads(1).build();
    }

    @Test
    void learnsAndIsReproducible() {
        List<LabelledText> train = data(400, 1);
        List<LabelledText> val = data(100, 2);
        Weights init = Weights.initialise(config, 7);
        Trainer.Result a = Trainer.train(config, init, tokenizer, train, val, hp(), TrainingListener.NONE);
        Trainer.Result b = Trainer.train(config, init, tokenizer, train, val, hp(), TrainingListener.NONE);

        assertThat(a.best().validationScore()).isGreaterThanOrEqualTo(0.95);
        assertThat(a.history().get(0).trainLoss()).isGreaterThan(a.history().get(a.history().size() - 1).trainLoss());
        // Same seed, same data, one thread: the same loss curve to the last bit.
        assertThat(b.history()).extracting(TrainingListener.Epoch::trainLoss)
                .containsExactlyElementsOf(a.history().stream().map(TrainingListener.Epoch::trainLoss).toList());

        ModelBundle bundle = new ModelBundle(config, tokenizer.name(), tokenizer.maxLength(), tokenizer.truncation(),
                List.of(
                        "vehicle", "fruit"),
                a.weights(), tokenizer.json(), java.util.Map.of("test", true));
        ModelBundle reloaded = ModelBundle.fromBytes(bundle.toBytes());
        assertThat(reloaded.truncation()).isEqualTo(tokenizer.truncation());
        List<LabelledText> test = data(100, 3);
        try (Classifier c1 = Classifier.load(bundle, 1); Classifier c2 = Classifier.load(reloaded, 1)) {
            List<String> texts = test.stream().map(LabelledText::text).toList();
            float[][] p1 = c1.probabilities(texts);
            float[][] p2 = c2.probabilities(texts);
            assertThat(p2).isDeepEqualTo(p1);
            int[] truth = test.stream().mapToInt(LabelledText::label).toArray();
            ClassificationReport report = ClassificationReport.of(truth, c1.predictIndices(texts), bundle.labels());
            assertThat(report.accuracy()).isGreaterThanOrEqualTo(0.9);
            assertThat(c1.predict(List.of("my red apple is here")).get(0).label()).isEqualTo("fruit");
        }
    }
}
