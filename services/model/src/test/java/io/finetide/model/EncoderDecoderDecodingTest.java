package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.generate.Finish;
import io.finetide.model.generate.Generation;
import io.finetide.model.generate.GenerationSettings;
import io.finetide.model.generate.Generator;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.DecodingGraph;
import io.finetide.model.graph.EncoderDecoderDecoding;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.CompletionWriter;
import io.finetide.model.infer.Seq2Seq;
import io.finetide.model.stats.Softmax;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.tokenizer.Truncation;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A T5 written one token at a time from its key/value cache gives what the full graph gives over the whole source and
 * prefix: the same next-token distributions, the same greedy tokens as {@link Seq2Seq#generate} (which reruns the
 * decoder over the prefix), beams whose reported log-probabilities are the full graph's for their tokens (so the
 * cache's rows follow their beams), and through {@link CompletionWriter} the same greedy text and a target's
 * likelihood equal to the full graph's.
 */
class EncoderDecoderDecodingTest {

    private static final int PAD = 0;
    private static final int START = 0;
    private static final int EOS = 1;
    private static final int VOCAB = 40;
    private static final TransformerConfig SMALL = TransformerConfig.encoderDecoderBuilder().vocabSize(VOCAB)
            .maxPositions(16).hiddenSize(16).layers(2).heads(2).intermediateSize(32).dropout(0).relativeBuckets(8)
            .relativeMaxDistance(16).layerNormEps(1e-6).build();
    /** Weights scaled up so that the distributions are far from uniform and ties between tokens are unlikely. */
    private static final Weights WEIGHTS = GradientCheckTest.scaled(Weights.initialise(SMALL, 5), 20);
    private static final int[] SOURCE = {5, 6, 7, 8, 9, EOS};

    @Test
    void eachCachedStepGivesTheFullGraphsDistributionOverTheWholePrefix() {
        int[] prefix = {START, 11, 12, 13, 14, 15, 16, 17, 18, 19};
        float[][][] full;
        try (TransformerGraph g = TransformerGraph.create(SMALL, WEIGHTS, GraphOptions.inference(1))) {
            full = g.predictTokens(Batch.of(new int[][]{SOURCE}, PAD, 1, 16).withDecoder(Batch.of(new int[][]{prefix},
                    PAD, 1, 16)));
        }
        try (EncoderDecoderDecoding d = EncoderDecoderDecoding.create(SMALL, WEIGHTS, START, 1)) {
            DecodingGraph.Step step = d.start(new int[][]{SOURCE});
            for (int t = 0; t < prefix.length; t++) {
                for (int k = 0; k < VOCAB; k++) {
                    assertThat(Math.exp(Softmax.logProbability(step.logits()[0], k))).as("position %d token %d", t, k)
                            .isCloseTo(full[0][t][k], within(1e-5));
                }
                if (t + 1 < prefix.length) {
                    DecodingGraph.Step next = d.next(step.cache(), new int[]{0}, new int[]{prefix[t + 1]});
                    step.cache().close();
                    step = next;
                }
            }
            assertThat(step.cache().length()).isEqualTo(prefix.length);
            step.cache().close();
        }
    }

    @Test
    void greedyDecodingWritesSeq2SeqsTokensAndBeamsScoreAsTheFullGraph() {
        int[][] sources = {SOURCE, {20, 21, 22, EOS}, {30, 7, 30, 7, 30, EOS}};
        try (TransformerGraph g = TransformerGraph.create(SMALL, WEIGHTS, GraphOptions.inference(1));
                EncoderDecoderDecoding d = EncoderDecoderDecoding.create(SMALL, WEIGHTS, START, 1)) {
            for (int[] source : sources) {
                int[] reference = Seq2Seq.generate(g, new int[][]{source}, PAD, START, EOS, 12)[0];
                Generation greedy = Generator.generate(d, source, EOS, GenerationSettings.greedy(12), t -> false,
                        t -> {
                        });
                int[] expected = reference.length > 0 && reference[reference.length - 1] == EOS
                        ? Arrays.copyOf(reference, reference.length - 1)
                        : reference;
                assertThat(greedy.tokens()).isEqualTo(expected);
                assertThat(greedy.logProbability()).isCloseTo(logProbability(g, source, greedy), within(1e-3));
                for (int width : new int[]{1, 3, 5}) {
                    Generation beam = Generator.generate(d, source, EOS, GenerationSettings.beam(width, 12),
                            t -> false, t -> {
                            });
                    assertThat(beam.logProbability()).as("width %d", width).isCloseTo(logProbability(g, source, beam),
                            within(1e-3));
                    if (width == 1) {
                        assertThat(beam.tokens()).isEqualTo(greedy.tokens());
                    }
                }
            }
        }
    }

    @Test
    void aT5WriterWritesGreedilyAsSeq2SeqAndScoresATargetAsTheFullGraph() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 32)) {
            TransformerConfig config = TransformerConfig.encoderDecoderBuilder().vocabSize(tokenizer.vocabSize())
                    .maxPositions(32).hiddenSize(32).layers(2).heads(4).intermediateSize(64).dropout(0)
                    .relativeBuckets(16).relativeMaxDistance(32).layerNormEps(1e-6).build();
            Weights weights = GradientCheckTest.scaled(Weights.initialise(config, 4), 10);
            int end = 102;
            ModelBundle bundle = new ModelBundle(config, "minilm-l6", 32, Truncation.HEAD, List.of(), weights,
                    tokenizer.json(), Map.of(ModelBundle.END_OF_TEXT, end, ModelBundle.DECODER_START, START));
            assertThat(bundle.generates()).isTrue();
            assertThat(bundle.writesLabels()).isFalse();
            String source = "translate the weather report";
            int[] sourceIds = tokenizer.encode(source);
            String target = "sunny and warm";
            int[] targetIds = tokenizer.encodePlain(target);
            int[] withEnd = Arrays.copyOf(targetIds, targetIds.length + 1);
            withEnd[targetIds.length] = end;
            int[] reference;
            double expected = 0;
            try (TransformerGraph g = TransformerGraph.create(config, weights, GraphOptions.inference(1))) {
                reference = Seq2Seq.generate(g, new int[][]{sourceIds}, PAD, START, end, 6)[0];
                float[][][] p = g.predictTokens(Batch.of(new int[][]{sourceIds}, PAD, 1, 32).withDecoder(Batch.of(
                        new int[][]{Seq2Seq.decoderInput(withEnd, START)}, PAD, 1, 32)));
                for (int t = 0; t < withEnd.length; t++) {
                    expected += Math.log(p[0][t][withEnd[t]]);
                }
            }
            try (CompletionWriter writer = CompletionWriter.load(bundle, 1)) {
                List<String> pieces = new ArrayList<>();
                CompletionWriter.Written w = writer.write(source, GenerationSettings.greedy(6), List.of(),
                        pieces::add);
                int written = reference[reference.length - 1] == end ? reference.length - 1 : reference.length;
                assertThat(w.tokens()).isEqualTo(written);
                assertThat(w.text()).isEqualTo(tokenizer.decode(Arrays.copyOf(reference, written)));
                assertThat(String.join("", pieces)).isEqualTo(w.text());
                CompletionWriter.Likelihood l = writer.likelihood(source, target);
                assertThat(l.tokens()).isEqualTo(withEnd.length);
                assertThat(l.logProbability()).isCloseTo(expected, within(1e-3));
            }
        }
    }

    /** The full graph's log-probability of a generation's tokens, and of its end when it ended there. */
    private static double logProbability(TransformerGraph g, int[] source, Generation generation) {
        int[] tokens = generation.tokens();
        boolean ended = generation.finish() == Finish.END_OF_TEXT;
        int[] target = ended ? Arrays.copyOf(tokens, tokens.length + 1) : tokens;
        if (ended) {
            target[tokens.length] = EOS;
        }
        float[][][] p = g.predictTokens(Batch.of(new int[][]{source}, PAD, 1, 16).withDecoder(Batch.of(new int[][]{
                Seq2Seq.decoderInput(target, START)}, PAD, 1, 16)));
        double sum = 0;
        for (int t = 0; t < target.length; t++) {
            sum += Math.log(p[0][t][target[t]]);
        }
        return sum;
    }
}
