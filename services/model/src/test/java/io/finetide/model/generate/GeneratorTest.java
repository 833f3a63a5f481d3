package io.finetide.model.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.DecodingGraph;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.pretrained.HuggingFaceLanguageModels;

/**
 * Generation with the key/value cache against transformers 5.23 on a tiny GPT-2 with peaked, varied next-token
 * distributions ({@code reference/gpt2-generation}, written by {@code benchmarks/python/reference_models.py}).
 */
class GeneratorTest {

    private static final int END = 6;
    private static HuggingFaceLanguageModels.Loaded model;
    private static DecodingGraph graph;
    private static JsonNode expected;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Path.of(GeneratorTest.class.getResource("/reference/gpt2-generation").toURI());
        model = HuggingFaceLanguageModels.read(dir, 0);
        graph = DecodingGraph.create(model.config(), model.weights(), 1);
        expected = new ObjectMapper().readTree(dir.resolve("generation.json").toFile());
    }

    @AfterAll
    static void close() {
        graph.close();
    }

    @Test
    void eachCachedStepGivesTheLogitsOfTheWholePrefix() {
        int[] tokens = {5, 17, 40, 2, 33, 9, 61, 12, 8, 30, 44, 1};
        int promptLength = 4;
        try (TransformerGraph full = TransformerGraph.create(model.config(), model.weights(), GraphOptions.inference(
                1))) {
            DecodingGraph.Step step = graph.start(new int[][]{Arrays.copyOf(tokens, promptLength)});
            double worst = 0;
            for (int n = promptLength; n <= tokens.length; n++) {
                int[] prefix = Arrays.copyOf(tokens, n);
                float[][] all = full.logits(Batch.of(new int[][]{prefix}, 0, 1, 32));
                float[] last = all[n - 1];
                for (int v = 0; v < last.length; v++) {
                    worst = Math.max(worst, Math.abs(last[v] - step.logits()[0][v]));
                }
                assertThat(step.cache().length()).isEqualTo(n);
                if (n < tokens.length) {
                    DecodingGraph.Step next = graph.next(step.cache(), new int[]{0}, new int[]{tokens[n]});
                    step.cache().close();
                    step = next;
                }
            }
            step.cache().close();
            assertThat(worst).isLessThan(1e-4);
        }
    }

    @Test
    void greedyAndBeamSearchGiveTransformersTokens() {
        int max = expected.get("max_new_tokens").asInt();
        assertThat(expected.get("eos").asInt()).isEqualTo(END);
        int cases = 0;
        int endedEarly = 0;
        for (JsonNode c : expected.get("cases")) {
            int[] prompt = ints(c.get("prompt"));
            int[] theirs = ints(c.get("generated"));
            int beams = c.get("beams").asInt();
            GenerationSettings settings = beams == 1
                    ? GenerationSettings.greedy(max)
                    : GenerationSettings.beam(beams, max);
            Generation ours = Generator.generate(graph, prompt, END, settings, StopRule.NEVER, TokenListener.NONE);
            boolean ended = theirs[theirs.length - 1] == END;
            assertThat(ours.tokens()).as("prompt %s, %d beams", Arrays.toString(prompt), beams).containsExactly(
                    ended ? Arrays.copyOf(theirs, theirs.length - 1) : theirs);
            assertThat(ours.finish()).isEqualTo(ended ? Finish.END_OF_TEXT : Finish.LENGTH);
            cases++;
            endedEarly += ended ? 1 : 0;
        }
        assertThat(cases).isEqualTo(21);
        assertThat(endedEarly).isEqualTo(9);
    }

    @Test
    void aStopRuleEndsAndTheListenerHearsEachTokenAsItComes() {
        List<Integer> heard = new ArrayList<>();
        int[] prompt = ints(expected.get("cases").get(6).get("prompt"));
        // Greedy on this prompt gives 1 1 1 29 29 29 6.
        Generation g = Generator.generate(graph, prompt, END, GenerationSettings.greedy(12), so -> so[so.length
                - 1] == 29, heard::add);
        assertThat(g.tokens()).containsExactly(1, 1, 1, 29);
        assertThat(g.finish()).isEqualTo(Finish.STOP);
        assertThat(heard).containsExactly(1, 1, 1, 29);
    }

    @Test
    void generationStopsWhereThePositionsEnd() {
        int[] prompt = new int[30];
        Arrays.fill(prompt, 14);
        Generation g = Generator.generate(graph, prompt, END, GenerationSettings.greedy(12), StopRule.NEVER,
                TokenListener.NONE);
        // 32 positions: the 31st and 32nd read the first two new tokens, and the third needs no reading.
        assertThat(g.tokens()).hasSize(3);
        assertThat(g.finish()).isEqualTo(Finish.LENGTH);
        assertThatThrownBy(() -> Generator.generate(graph, new int[33], END, GenerationSettings.greedy(1),
                StopRule.NEVER, TokenListener.NONE)).hasMessageContaining("longer than the 32 positions");
    }

    @Test
    void samplingIsSeededAndTopKOfOneIsGreedy() {
        int[] prompt = ints(expected.get("cases").get(12).get("prompt"));
        Generation a = Generator.generate(graph, prompt, END, GenerationSettings.sampling(1.0, 0, 1.0, 7, 12),
                StopRule.NEVER, TokenListener.NONE);
        Generation b = Generator.generate(graph, prompt, END, GenerationSettings.sampling(1.0, 0, 1.0, 7, 12),
                StopRule.NEVER, TokenListener.NONE);
        assertThat(b.tokens()).containsExactly(a.tokens());
        List<String> outputs = new ArrayList<>();
        for (long seed = 0; seed < 10; seed++) {
            outputs.add(Arrays.toString(Generator.generate(graph, prompt, END, GenerationSettings.sampling(1.5, 0,
                    1.0, seed, 12), StopRule.NEVER, TokenListener.NONE).tokens()));
        }
        assertThat(outputs.stream().distinct().count()).isGreaterThan(5);
        Generation topOne = Generator.generate(graph, prompt, END, GenerationSettings.sampling(1.3, 1, 1.0, 3, 12),
                StopRule.NEVER, TokenListener.NONE);
        Generation greedy = Generator.generate(graph, prompt, END, GenerationSettings.greedy(12), StopRule.NEVER,
                TokenListener.NONE);
        assertThat(topOne.tokens()).containsExactly(greedy.tokens());
        assertThat(topOne.logProbability()).isCloseTo(greedy.logProbability(), org.assertj.core.api.Assertions
                .within(1e-9));
    }

    static int[] ints(JsonNode node) {
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asInt();
        }
        return out;
    }
}
