package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.explain.Explainer;
import io.finetide.model.infer.Classifier;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.TaggedWords;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Integrated-gradients explanations of small trained models: complete (attributions add up to the probability's change
 * from the baseline), and faithful (removing the most attributed word changes the answer more than removing a random
 * one).
 */
class ExplanationsTest {

    static final List<String> LABELS = List.of("vehicle", "fruit");
    static final String[] FRUIT = {"apple", "banana", "cherry", "grape", "lemon", "mango"};
    static final String[] VEHICLE = {"car", "truck", "bus", "train", "boat", "plane"};
    static final String[] FILLER = {"the", "a", "my", "old", "new", "red", "is", "was", "here", "today"};

    /** "my old apple here": one noun, which decides the label, among three fillers. */
    static List<LabelledText> texts(int n, long seed) {
        Random r = new Random(seed);
        List<LabelledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean fruit = r.nextBoolean();
            List<String> words = new ArrayList<>(List.of(FILLER[r.nextInt(10)], FILLER[r.nextInt(10)], FILLER[r
                    .nextInt(10)]));
            words.add(r.nextInt(4), fruit ? FRUIT[r.nextInt(6)] : VEHICLE[r.nextInt(6)]);
            out.add(new LabelledText(String.join(" ", words), fruit ? 1 : 0));
        }
        return out;
    }

    static TrainingConfig training() {
        return TrainingConfig.builder().learningRate(3e-3).batchSize(16).epochs(4).weightDecay(0.01).warmupRatio(0.1)
                .maxGradNorm(1.0).seed(7).dropout(0).patience(0).labelSmoothing(0).threads(1).build();
    }

    @Test
    void removingTheMostAttributedWordChangesTheAnswerMoreThanRemovingARandomOne() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16)) {
            TransformerConfig config = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize())
                    .maxPositions(16).typeVocabSize(2).hiddenSize(32).layers(1).heads(2).intermediateSize(64)
                    .labels(2).pooling(Pooling.MEAN).dropout(0).layerNormEps(1e-12).build();
            List<LabelledText> train = texts(300, 1);
            Weights w = Trainer.train(config, Weights.initialise(config, 3), tokenizer, train, texts(60, 2),
                    training(), TrainingListener.NONE).weights();
            ModelBundle bundle = new ModelBundle(config, tokenizer.name(), tokenizer.maxLength(), tokenizer
                    .truncation(), LABELS, w, tokenizer.json(), Map.of());
            List<LabelledText> fixed = texts(40, 3);
            double topDrop = 0;
            double randomDrop = 0;
            int nounOnTop = 0;
            double worstGap = 0;
            Random random = new Random(11);
            try (Explainer explainer = Explainer.load(bundle, 1);
                    Classifier classifier = Classifier.load(bundle, 1)) {
                for (LabelledText t : fixed) {
                    List<String> words = List.of(t.text().split(" "));
                    Explainer.Explanation e = explainer.explain(words, null, -1, 64);
                    int label = LABELS.indexOf(e.label());
                    worstGap = Math.max(worstGap, e.completenessGap());
                    int top = IntStream.range(0, words.size()).boxed().max(Comparator.comparingDouble(i -> e.words()
                            .get(i).attribution())).orElseThrow();
                    nounOnTop += List.of(FRUIT).contains(words.get(top)) || List.of(VEHICLE).contains(words.get(top))
                            ? 1
                            : 0;
                    double before = classifier.uncalibratedProbabilities(List.of(t.text()))[0][label];
                    assertThat(e.probability()).isCloseTo(before, org.assertj.core.data.Offset.offset(1e-4));
                    topDrop += before - without(classifier, words, top, label);
                    // The same number of words removed at random, averaged over every position.
                    double drops = 0;
                    for (int k = 0; k < 4; k++) {
                        drops += before - without(classifier, words, random.nextInt(words.size()), label);
                    }
                    randomDrop += drops / 4;
                }
            }
            topDrop /= fixed.size();
            randomDrop /= fixed.size();
            System.out.printf("faithfulness over %d texts (k = 1): mean probability drop removing the top word %.4f, "
                    + "a random word %.4f; the noun on top in %d; worst completeness gap %.5f%n", fixed.size(),
                    topDrop, randomDrop, nounOnTop, worstGap);
            assertThat(topDrop).isGreaterThan(randomDrop + 0.1);
            assertThat(nounOnTop).isGreaterThanOrEqualTo(36);
            // A vehicle's probability rises from 0.02 on the baseline to 0.98 in a narrow stretch of the path: 32 steps leave
            // a gap of up to 0.06 there, 64 close it.
            assertThat(worstGap).isLessThan(0.01);
        }
    }

    private static double without(Classifier classifier, List<String> words, int drop, int label) {
        List<String> kept = new ArrayList<>(words);
        kept.remove(drop);
        return classifier.uncalibratedProbabilities(List.of(String.join(" ", kept)))[0][label];
    }

    @Test
    void aTaggersWordIsExplainedMostByItself() {
        List<String> tags = TokenClassificationTest.TAGS;
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 24)) {
            TransformerConfig config = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize())
                    .maxPositions(24).typeVocabSize(2).hiddenSize(32).layers(2).heads(2).intermediateSize(64)
                    .labels(tags.size()).head(Head.TOKEN).dropout(0).layerNormEps(1e-12).build();
            List<TaggedWords> train = TokenClassificationTest.sentences(240, 1);
            Weights w = Trainer.trainTokens(config, Weights.initialise(config, 7), tokenizer, train,
                    TokenClassificationTest.sentences(60, 2), tags, training(), Strategy.full(),
                    TrainingListener.NONE, Checkpoint.Store.NONE).weights();
            ModelBundle bundle = new ModelBundle(config, tokenizer.name(), tokenizer.maxLength(), tokenizer
                    .truncation(), tags, w, tokenizer.json(), Map.of());
            List<TaggedWords> fixed = TokenClassificationTest.sentences(20, 3);
            int selfOnTop = 0;
            try (Explainer explainer = Explainer.load(bundle, 1)) {
                for (TaggedWords t : fixed) {
                    // The city: the word whose tag is B-location.
                    int city = IntStream.range(0, t.words().size()).filter(i -> t.tags()[i] == 3).findFirst()
                            .orElseThrow();
                    Explainer.Explanation e = explainer.explain(t.words(), null, city, 64);
                    assertThat(e.word()).isEqualTo(city);
                    assertThat(e.words()).hasSize(t.words().size());
                    assertThat(e.completenessGap()).isLessThan(0.01);
                    int top = IntStream.range(0, t.words().size()).boxed().max(Comparator.comparingDouble(i -> Math
                            .abs(e.words().get(i).attribution()))).orElseThrow();
                    selfOnTop += top == city ? 1 : 0;
                }
                // A named label is explained as asked, whatever the prediction.
                Explainer.Explanation asked = explainer.explain(fixed.get(0).words(), "B-person", 0, 16);
                assertThat(asked.label()).isEqualTo("B-person");
            }
            assertThat(selfOnTop).isGreaterThanOrEqualTo(16);
        }
    }
}
