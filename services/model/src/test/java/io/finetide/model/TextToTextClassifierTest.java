package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.explain.Explainer;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.LabelWords;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.tokenizer.Truncation;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A tiny T5-style encoder-decoder learns a classification as the words of its labels (one label of two words), and a
 * bundle of it classifies through {@link Classifier} as any classifier does: probabilities over the labels, ranked by
 * the likelihood of each label's words.
 */
class TextToTextClassifierTest {

    private static final int SEP = 102;
    private static final int PAD = 0;
    private static final List<String> LABELS = List.of("sports_news", "weather");
    private static final List<String> SPORTS = List.of("football", "match", "goal", "team", "league", "player");
    private static final List<String> WEATHER = List.of("rain", "sunny", "storm", "cloudy", "snow", "wind");
    private static final List<String> FILLER = List.of("the", "today", "we", "saw", "a", "lot", "of", "in", "town",
            "this", "morning", "very", "big", "news", "about");

    private static final TransformerConfig CONFIG = TransformerConfig.encoderDecoderBuilder().vocabSize(30522)
            .maxPositions(32).hiddenSize(32).layers(2).heads(4).intermediateSize(64).dropout(0).relativeBuckets(16)
            .relativeMaxDistance(32).layerNormEps(1e-6).build();

    @Test
    void anEncoderDecoderLearnsToWriteItsLabelsAndClassifiesByThem() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 32)) {
            LabelWords words = LabelWords.of(tokenizer, LABELS, SEP, PAD);
            // "sports news" is two word pieces and the end of text, "weather" one and the end.
            assertThat(words.targets()[0]).hasSize(3).endsWith(SEP);
            assertThat(words.targets()[1]).hasSize(2).endsWith(SEP);
            assertThat(words.decoderInput(0)).containsExactly(PAD, words.targets()[0][0], words.targets()[0][1]);

            Trainer.Result r = Trainer.trainTextToText(CONFIG, Weights.initialise(CONFIG, 3), tokenizer, texts(600,
                    1), texts(100, 2), words,
                    TrainingConfig.builder().learningRate(2e-2).batchSize(32).epochs(8)
                            .weightDecay(0.01).warmupRatio(0.1).maxGradNorm(1.0).seed(3).dropout(0).patience(0)
                            .labelSmoothing(0).threads(1).build(),
                    Strategy.full(), TrainingListener.NONE, Checkpoint.Store.NONE);
            // Chance until the decoder writes the label words at all (3 epochs), then 1.0 from the fourth.
            assertThat(r.best().validationScore()).isGreaterThan(0.95);

            ModelBundle bundle = new ModelBundle(CONFIG, "t5-test", 32, Truncation.HEAD, LABELS, r.weights(),
                    tokenizer.json(), Map.of(ModelBundle.END_OF_TEXT, SEP, ModelBundle.DECODER_START, PAD));
            bundle = ModelBundle.fromBytes(bundle.toBytes());
            assertThat(bundle.writesLabels()).isTrue();
            assertThat(bundle.generates()).isFalse();
            List<LabelledText> unseen = texts(100, 3);
            try (Classifier classifier = Classifier.load(bundle, 1)) {
                float[][] p = classifier.probabilities(unseen.stream().map(LabelledText::text).toList());
                int right = 0;
                for (int i = 0; i < p.length; i++) {
                    assertThat(p[i][0] + p[i][1]).isCloseTo(1f, within(1e-5f));
                    right += (p[i][0] > p[i][1] ? 0 : 1) == unseen.get(i).label() ? 1 : 0;
                }
                assertThat(right).isGreaterThanOrEqualTo(95);
                assertThat(classifier.predict(List.of("a big storm and snow in town today")).get(0).label())
                        .isEqualTo("weather");
                assertThatThrownBy(() -> classifier.pairProbabilities(List.of("a"), List.of("b")))
                        .hasMessageContaining("single texts");
            }
            ModelBundle trained = bundle;
            assertThatThrownBy(() -> Explainer.load(trained, 1)).hasMessageContaining("text-to-text");
        }
    }

    @Test
    void aLabelsProbabilityIsItsWordsLikelihoodOverAllLabels() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 32);
                TransformerGraph graph = TransformerGraph.create(CONFIG, Weights.initialise(CONFIG, 11), GraphOptions
                        .inference(1))) {
            LabelWords words = LabelWords.of(tokenizer, LABELS, SEP, PAD);
            int[] source = tokenizer.encode("rain in town today");
            float[] p = words.probabilities(graph, new int[][]{source}, 32)[0];
            // The same likelihoods from the graph's per-position probabilities, a label at a time.
            double[] likelihood = new double[LABELS.size()];
            for (int k = 0; k < LABELS.size(); k++) {
                float[][][] q = graph.predictTokens(Batch.of(new int[][]{source}, PAD, 1, 32).withDecoder(Batch.of(
                        new int[][]{words.decoderInput(k)}, PAD, 1, 32)));
                likelihood[k] = 1;
                for (int t = 0; t < words.targets()[k].length; t++) {
                    likelihood[k] *= q[0][t][words.targets()[k][t]];
                }
            }
            double sum = likelihood[0] + likelihood[1];
            assertThat((double) p[0]).isCloseTo(likelihood[0] / sum, within(1e-4));
            assertThat((double) p[1]).isCloseTo(likelihood[1] / sum, within(1e-4));
        }
    }

    @Test
    void labelsWrittenAlikeAndBalancedWeightsAreRefused() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 32)) {
            assertThatThrownBy(() -> LabelWords.of(tokenizer, List.of("not_spam", "not-spam"), SEP, PAD))
                    .hasMessageContaining("written with the same tokens");
            LabelWords words = LabelWords.of(tokenizer, LABELS, SEP, PAD);
            assertThatThrownBy(() -> Trainer.trainTextToText(CONFIG, Weights.initialise(CONFIG, 3), tokenizer, texts(
                    4, 1), texts(2, 2), words,
                    TrainingConfig.builder().classWeighting(
                            TrainingConfig.ClassWeighting.BALANCED).build(),
                    Strategy.full(), TrainingListener.NONE,
                    Checkpoint.Store.NONE)).hasMessageContaining("balanced class weights");
        }
    }

    /** Sentences of filler with one sports or weather word somewhere: label 0 for sports, 1 for weather. */
    private static List<LabelledText> texts(int n, long seed) {
        Random r = new Random(seed);
        List<LabelledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(2);
            List<String> words = new ArrayList<>();
            for (int w = 0; w < 3 + r.nextInt(4); w++) {
                words.add(FILLER.get(r.nextInt(FILLER.size())));
            }
            List<String> cues = label == 0 ? SPORTS : WEATHER;
            words.add(r.nextInt(words.size() + 1), cues.get(r.nextInt(cues.size())));
            out.add(new LabelledText(String.join(" ", words), label));
        }
        return out;
    }
}
