package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.pretrained.HuggingFaceLanguageModels;
import io.finetide.model.transformer.Activation;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.Pooling;

/**
 * Golden parity with Hugging Face {@code transformers} for the architectures that have no pretrained weights here: a
 * tiny random T5, GPT-2 and ALBERT (gains and biases randomised too), written with {@code save_pretrained} and
 * run by {@code transformers} 5.23 on a padded batch ({@code benchmarks/python/reference_models.py} wrote the
 * fixtures). Our graphs, loaded from the same folders, give the same logits at every real position within 1e-4. The
 * T5 batch holds sources of 30 tokens, so relative distances beyond the maximum (20) fall in the last bucket.
 */
class ReferenceParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void t5MatchesTransformers() throws Exception {
        Path dir = fixture("t5-tiny");
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
        HuggingFaceLanguageModels.Loaded model = HuggingFaceLanguageModels.read(dir, 0);
        assertThat(model.config().encoderDecoder()).isTrue();
        assertThat(model.config().relativeBuckets()).isEqualTo(8);
        assertThat(model.config().relativeMaxDistance()).isEqualTo(20);
        int[][] sources = rows(expected.get("sources"));
        int[][] decoder = rows(expected.get("decoder_inputs"));
        assertThat(sources[2]).hasSize(30);
        Batch batch = Batch.of(sources, 0, 1, 512).withDecoder(Batch.of(decoder, 0, 1, 512));
        // Measured: 1.5e-6.
        assertThat(maxDifference(model, batch, decoder, expected.get("logits"))).isLessThan(1e-4);
    }

    @Test
    void gpt2MatchesTransformers() throws Exception {
        Path dir = fixture("gpt2-tiny");
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
        HuggingFaceLanguageModels.Loaded model = HuggingFaceLanguageModels.read(dir, 0);
        assertThat(model.config().decoder()).isTrue();
        int[][] inputs = rows(expected.get("inputs"));
        // Measured: 6e-8.
        assertThat(maxDifference(model, Batch.of(inputs, 0, 1, 32), inputs, expected.get("logits"))).isLessThan(
                1e-4);
    }

    @Test
    void albertMatchesTransformers(@TempDir Path tmp) throws Exception {
        // An AlbertModel folder (tanh GELU, embeddings of 8 projected to 16, one layer shared by 3) with a tokenizer.
        Path dir = copy(fixture("albert-tiny"), tmp.resolve("albert"));
        Files.write(dir.resolve("tokenizer.json"), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode expected = JSON.readTree(fixture("albert-tiny").resolve("expected.json").toFile());
        HuggingFaceFolder.Loaded model = HuggingFaceFolder.read(dir, HeadSpec.sequence(2, Pooling.CLS), 0, 1);
        assertThat(model.config().shareLayers()).isTrue();
        assertThat(model.config().embeddingSize()).isEqualTo(8);
        assertThat(model.config().activation()).isEqualTo(Activation.GELU_TANH);
        assertThat(model.ignored()).contains("pooler.weight");
        int[][] inputs = rows(expected.get("inputs"));
        Batch batch = Batch.of(inputs, 0, 1, 32);
        float[] ours;
        try (TransformerGraph g = TransformerGraph.create(model.config(), model.weights(), GraphOptions.inference(
                1))) {
            ours = g.hiddenStates(batch);
        }
        double worst = 0;
        JsonNode theirs = expected.get("last_hidden_state");
        for (int i = 0; i < inputs.length; i++) {
            for (int t = 0; t < inputs[i].length; t++) {
                for (int k = 0; k < 16; k++) {
                    worst = Math.max(worst, Math.abs(ours[(i * batch.length() + t) * 16 + k] - theirs.get(i).get(t)
                            .get(k).asDouble()));
                }
            }
        }
        // Measured: 7e-7.
        System.out.printf("parity albert: max |ours - transformers| = %.17g%n", worst);
        assertThat(worst).isLessThan(1e-4);
    }

    @Test
    void whatTheGraphCannotRunFailsNamingTheSetting(@TempDir Path tmp) throws IOException, URISyntaxException {
        Path t5 = copy(fixture("t5-tiny"), tmp.resolve("t5"));
        String config = Files.readString(t5.resolve("config.json"));
        Files.writeString(t5.resolve("config.json"), config.replace("\"feed_forward_proj\": \"relu\"",
                "\"feed_forward_proj\": \"gated-gelu\""));
        assertThatThrownBy(() -> HuggingFaceLanguageModels.read(t5, 0)).hasMessageContaining(
                "feed_forward_proj 'gated-gelu'");
        Files.writeString(t5.resolve("config.json"), config.replace("\"d_ff\": 32", "\"d_ff\": 48"));
        assertThatThrownBy(() -> HuggingFaceLanguageModels.read(t5, 0)).hasMessageContaining(
                "encoder.block.0.layer.1.DenseReluDense.wi.weight").hasMessageContaining("[16, 48]");
        Files.writeString(t5.resolve("config.json"), config.replace("\"model_type\": \"t5\"",
                "\"model_type\": \"bart\""));
        assertThatThrownBy(() -> HuggingFaceLanguageModels.read(t5, 0)).hasMessageContaining("model_type 'bart'");
    }

    /** The largest |ours - theirs| over the real positions of each row. */
    private static double maxDifference(HuggingFaceLanguageModels.Loaded model, Batch batch, int[][] rows,
            JsonNode theirs) {
        float[][] ours;
        try (TransformerGraph g = TransformerGraph.create(model.config(), model.weights(), GraphOptions.inference(
                1))) {
            ours = g.logits(batch);
        }
        int length = batch.outputLength();
        double worst = 0;
        int compared = 0;
        for (int i = 0; i < rows.length; i++) {
            for (int t = 0; t < rows[i].length; t++) {
                JsonNode row = theirs.get(i).get(t);
                for (int k = 0; k < row.size(); k++) {
                    worst = Math.max(worst, Math.abs(ours[i * length + t][k] - row.get(k).asDouble()));
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(1000);
        System.out.printf("parity %s: max |ours - transformers| = %.17g%n", model.config().architecture(), worst);
        return worst;
    }

    private static int[][] rows(JsonNode node) {
        List<int[]> out = new ArrayList<>();
        node.forEach(r -> {
            int[] row = new int[r.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = r.get(i).asInt();
            }
            out.add(row);
        });
        return out.toArray(int[][]::new);
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(ReferenceParityTest.class.getResource("/reference/" + name).toURI());
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(from.resolve(f), to.resolve(f));
        }
        return to;
    }
}
