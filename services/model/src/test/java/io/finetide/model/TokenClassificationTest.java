package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.metrics.EntityF1;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.TaggedWords;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/** The token head: word-piece alignment on the real tokenizer, and a small BIO task that must be learned. */
class TokenClassificationTest {

    static final List<String> TAGS = List.of("O", "B-person", "I-person", "B-location");
    static final String[] FIRST = {"alice", "bob", "carol", "dmitri", "eve", "fatima", "gunnar", "hiroshi"};
    static final String[] LAST = {"smith", "okafor", "johansson", "tanaka", "novak", "garcia"};
    static final String[] CITY = {"paris", "lagos", "osaka", "lima", "oslo", "denver", "kyiv"};
    static final String[] FILLER = {"today", "yesterday", "again", "happily", "finally", "quietly"};

    /** Sentences like "alice novak moved to osaka today", tagged by construction. */
    static List<TaggedWords> sentences(int n, long seed) {
        Random r = new Random(seed);
        List<TaggedWords> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> words = new ArrayList<>();
            List<Integer> tags = new ArrayList<>();
            if (r.nextBoolean()) {
                words.add(FILLER[r.nextInt(FILLER.length)]);
                tags.add(0);
            }
            words.add(FIRST[r.nextInt(FIRST.length)]);
            tags.add(1);
            if (r.nextBoolean()) {
                words.add(LAST[r.nextInt(LAST.length)]);
                tags.add(2);
            }
            words.addAll(List.of(r.nextBoolean() ? "moved" : "flew", "to"));
            tags.addAll(List.of(0, 0));
            words.add(CITY[r.nextInt(CITY.length)]);
            tags.add(3);
            words.add(FILLER[r.nextInt(FILLER.length)]);
            tags.add(0);
            out.add(new TaggedWords(words, tags.stream().mapToInt(Integer::intValue).toArray()));
        }
        return out;
    }

    @Test
    void eachWordsFirstPieceCarriesItsTag() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 32)) {
            Tokenizer.Words w = tokenizer.encodeWords(List.of("@paulwalk", "visited", "Zaporizhzhia"));
            // [CLS] @ paul ##walk visited za ##poriz... [SEP]: the last word in several pieces too.
            int[] ids = w.wordIds();
            assertThat(ids[0]).isEqualTo(-1);
            assertThat(ids[ids.length - 1]).isEqualTo(-1);
            assertThat(java.util.Arrays.copyOfRange(ids, 0, 5)).containsExactly(-1, 0, 0, 0, 1);
            assertThat(java.util.Arrays.copyOfRange(ids, 5, ids.length - 1)).hasSizeGreaterThan(1).containsOnly(2);
            int[] labels = w.positionLabels(new int[]{1, 0, 3});
            assertThat(java.util.Arrays.copyOfRange(labels, 0, 7)).containsExactly(-1, 1, -1, -1, 0, 3, -1);
            assertThat(labels[labels.length - 1]).isEqualTo(-1);
            assertThat(w.count()).isEqualTo(3);
            // Cut to 5 positions: the third word loses its pieces, [SEP] stays.
            try (Tokenizer shortEncoder = Tokenizer.builtin("minilm-l6", 5)) {
                Tokenizer.Words cut = shortEncoder.encodeWords(List.of("@paulwalk", "visited", "Zaporizhzhia"));
                assertThat(cut.wordIds()).containsExactly(-1, 0, 0, 0, -1);
                assertThat(cut.count()).isEqualTo(3);
            }
        }
    }

    @Test
    void aSmallTaggingTaskIsLearned() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 24)) {
            TransformerConfig config = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize())
                    .maxPositions(24).typeVocabSize(2).hiddenSize(32).layers(2).heads(2).intermediateSize(64)
                    .labels(TAGS.size()).head(Head.TOKEN).dropout(0.1).layerNormEps(1e-12).build();
            List<TaggedWords> train = sentences(240, 1);
            List<TaggedWords> validation = sentences(60, 2);
            TrainingConfig tc = TrainingConfig.builder().learningRate(3e-3).batchSize(16).epochs(4).weightDecay(0.01)
                    .warmupRatio(0.1).maxGradNorm(1.0).seed(7).dropout(0.1).patience(0).labelSmoothing(0).threads(1)
                    .build();
            Trainer.Result r = Trainer.trainTokens(config, Weights.initialise(config, 7), tokenizer, train, validation,
                    TAGS, tc, Strategy.full(), TrainingListener.NONE, Checkpoint.Store.NONE);
            // The selection metric of a token task is entity F1.
            assertThat(r.best().validationScore()).isGreaterThan(0.95);
            List<TaggedWords> test = sentences(40, 3);
            try (TransformerGraph g = TransformerGraph.create(config, r.weights(), GraphOptions.inference(1))) {
                List<List<String>> predicted = Predictor
                        .wordProbabilities(g, test.stream().map(t -> tokenizer.encodeWords(t
                                .words())).toList(), tokenizer.padId(), 24)
                        .stream().map(p -> Predictor.argMaxTags(p, TAGS))
                        .toList();
                EntityF1 f = EntityF1.of(test.stream().map(t -> t.tagNames(TAGS)).toList(), predicted);
                assertThat(f.f1()).isGreaterThan(0.95);
                assertThat(f.perType()).containsKeys("person", "location");

                // Eight test sentences run together: longer than the 24 positions the model reads.
                List<TaggedWords> runTogether = new ArrayList<>();
                for (int i = 0; i + 8 <= test.size(); i += 8) {
                    List<String> words = new ArrayList<>();
                    List<Integer> tags = new ArrayList<>();
                    test.subList(i, i + 8).forEach(t -> {
                        words.addAll(t.words());
                        java.util.Arrays.stream(t.tags()).forEach(tags::add);
                    });
                    runTogether.add(new TaggedWords(words, tags.stream().mapToInt(Integer::intValue).toArray()));
                }
                List<Tokenizer.Words> whole = runTogether.stream().map(t -> tokenizer.encodeWordsWhole(t.words()))
                        .toList();
                assertThat(whole).allSatisfy(w -> assertThat(w.ids().length).isGreaterThan(40));
                List<float[][]> cut = Predictor.wordProbabilities(g, runTogether.stream().map(t -> tokenizer
                        .encodeWords(t.words())).toList(), tokenizer.padId(), 24);
                List<float[][]> windowed = Predictor.wordProbabilitiesInWindows(g, whole, tokenizer.padId(), 24);
                List<List<String>> truth = runTogether.stream().map(t -> t.tagNames(TAGS)).toList();
                // Read whole, the long texts are tagged as well as the short ones; cut, most of their entities are
                // past the cut.
                assertThat(EntityF1.of(truth, windowed.stream().map(p -> Predictor.argMaxTags(p, TAGS)).toList())
                        .f1()).isGreaterThan(0.95);
                assertThat(EntityF1.of(truth, cut.stream().map(p -> Predictor.argMaxTags(p, TAGS)).toList())
                        .recall()).isLessThan(0.6);
                for (int i = 0; i < whole.size(); i++) {
                    io.finetide.model.tokenizer.WordWindows w = io.finetide.model.tokenizer.WordWindows.of(whole.get(
                            i), 24);
                    assertThat(java.util.Arrays.asList(windowed.get(i))).doesNotContainNull();
                    // The first window is the cut reading: the words it answers for are read the same.
                    for (int word = 0; word < w.owner().length; word++) {
                        if (w.owner()[word] == 0) {
                            assertThat(windowed.get(i)[word]).containsExactly(cut.get(i)[word]);
                        }
                    }
                }
            }
        }
    }
}
