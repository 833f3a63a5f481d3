package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.finetide.model.adapters.Lora;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Finite-difference checks of the graph's gradients on tiny configurations: every parameter tensor of every layer type
 * (embeddings, LayerNorm, attention projections, feed-forward, head, LoRA adapters), with padding in the batch, for
 * both poolings, the token head (with unlabelled positions) and an ALBERT configuration (factorised embeddings, shared
 * layers: the shared parameters' gradient sums over the layers that use them), GPT-style decoders and a T5-style
 * encoder-decoder (RMS norms, relative position buckets, cross-attention, tied head). Central differences of the loss in float32 agree with the analytic gradient within 1.5e-4 (most
 * within 2e-5; the bar is 5e-4 plus 1%); a wrong or missing gradient path is off by far more.
 */
class GradientCheckTest {

    private static final double EPS = 1e-2;

    @ParameterizedTest
    @ValueSource(strings = {"mean", "cls", "token", "albert", "decoder-last", "decoder-lm", "t5"})
    void analyticGradientsMatchCentralDifferences(String variant) {
        // "albert": factorised embeddings (4 projected to 8) and one set of layer parameters shared by both layers;
        // "decoder-*": GPT-2 style (causal, pre-LayerNorm, tanh GELU), last-token head or tied language-model head.
        HeadSpec head = switch (variant) {
            case "albert", "mean" -> HeadSpec.sequence(3, Pooling.MEAN);
            case "cls" -> HeadSpec.sequence(3, Pooling.CLS);
            case "token" -> HeadSpec.tokens(3);
            case "decoder-last" -> HeadSpec.sequence(3, Pooling.LAST);
            default -> new HeadSpec(Head.LANGUAGE_MODEL, Pooling.LAST, 3);
        };
        TransformerConfig cfg = switch (variant) {
            case "albert" -> TransformerConfig.encoderBuilder().vocabSize(20).maxPositions(8).typeVocabSize(2)
                    .hiddenSize(8).layers(2).heads(2).intermediateSize(12).head(head).dropout(0)
                    .layerNormEps(1e-12).embeddingSize(4).shareLayers(true).build();
            case "decoder-last", "decoder-lm" ->
                TransformerConfig.decoderBuilder().vocabSize(20).maxPositions(8).hiddenSize(8).layers(2).heads(2)
                        .intermediateSize(12).head(head).dropout(0).build();
            // Sources up to 6 tokens reach the logarithmic buckets (from distance 2 with 8 buckets).
            case "t5" -> TransformerConfig.encoderDecoderBuilder().vocabSize(20).maxPositions(8).hiddenSize(8).layers(2)
                    .heads(2).intermediateSize(12).dropout(0).relativeBuckets(8).relativeMaxDistance(10)
                    .layerNormEps(1e-6).build();
            default -> TransformerConfig.encoderBuilder().vocabSize(20).maxPositions(8).typeVocabSize(2).hiddenSize(8)
                    .layers(2).heads(2).intermediateSize(12).head(head).dropout(0).layerNormEps(1e-12)
                    .build();
        };
        // BERT's N(0, 0.02) start is almost linear and its gradients tiny; larger weights exercise the non-linearities.
        Weights w = scaled(Weights.initialise(cfg, 21), 15);
        // T5's unscaled attention scores and ReLU kinks curve the loss more: a step of 1e-2 is off by its curvature
        // (2-6% on the shared embeddings and relative biases), one of 2e-3 agrees.
        double eps = cfg.encoderDecoder() ? 2e-3 : EPS;
        Lora lora = new Lora(2, 4, Set.of(Lora.Target.values()));
        Set<String> all = ParamSpec.forConfig(cfg).stream().map(ParamSpec::name).collect(Collectors.toSet());
        lora.params(cfg).forEach(p -> all.add(p.name()));
        Batch batch = Batch.of(new int[][]{{1, 5, 7, 2}, {1, 9, 2}, {1, 11, 12, 13, 14, 2}}, 0, 1, 8);
        assertThat(batch.length()).isEqualTo(6);
        // A label per sequence, or per position for the token head (-1: padding and special tokens, unlabelled).
        int[] y = cfg.perPosition()
                ? new int[]{-1, 0, 2, -1, -1, -1, -1, 1, -1, -1, -1, -1, -1, 2, 0, 0, 1, -1}
                : new int[]{0, 2, 1};
        if (cfg.encoderDecoder()) {
            // Decoder inputs (start id 0, then the target shifted) and the next target token at each real position.
            batch = batch.withDecoder(Batch.of(new int[][]{{0, 4, 6}, {0, 8}, {0, 3, 9, 15}}, 0, 1, 8));
            y = new int[]{4, 6, 2, -1, 8, 2, -1, -1, 3, 9, 15, 2};
        }
        try (TransformerGraph g = TransformerGraph.create(cfg, w,
                GraphOptions.training(all).seed(1).threads(1).labelSmoothing(0.1).lora(lora).build())) {
            // Adapters start with B = 0, where A gets no gradient: give B values first.
            Weights state = g.state();
            SplittableRandom r = new SplittableRandom(4);
            for (ParamSpec p : lora.params(cfg)) {
                if (p.name().endsWith(Lora.B)) {
                    float[] v = state.get(p.name()).values();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) r.nextDouble(-0.5, 0.5);
                    }
                }
            }
            g.loadState(state);
            Map<String, float[]> grads = g.probe().gradients(batch, y);
            assertThat(grads.keySet()).containsExactlyInAnyOrderElementsOf(all);
            Map<String, Double> worst = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : grads.entrySet()) {
                float[] grad = e.getValue();
                int largest = 0;
                for (int i = 1; i < grad.length; i++) {
                    if (Math.abs(grad[i]) > Math.abs(grad[largest])) {
                        largest = i;
                    }
                }
                if (e.getKey().endsWith("attention.self.key.bias")) {
                    // Adding b to every key adds q.b to all of a query's scores alike: softmax ignores it.
                    assertThat((double) Math.abs(grad[largest])).as(e.getKey()).isLessThan(1e-5);
                } else {
                    // A tensor whose gradient is all but zero would make the check vacuous.
                    assertThat((double) Math.abs(grad[largest])).as("largest gradient of " + e.getKey())
                            .isGreaterThan(1e-3);
                }
                double error = 0;
                for (int i : List.of(largest, r.nextInt(grad.length), r.nextInt(grad.length))) {
                    double numeric = centralDifference(g, state, e.getKey(), i, batch, y, eps);
                    double allowed = 5e-4 + 0.01 * Math.abs(grad[i]);
                    assertThat(Math.abs(numeric - grad[i])).as(e.getKey() + "[" + i + "]: analytic " + grad[i]
                            + ", numeric " + numeric).isLessThanOrEqualTo(allowed);
                    error = Math.max(error, Math.abs(numeric - grad[i]));
                }
                worst.put(e.getKey(), error);
            }
            assertThat(worst).hasSize(all.size());
        }
    }

    private static double centralDifference(TransformerGraph g, Weights state, String name, int index, Batch batch,
            int[] y, double eps) {
        float[] v = state.get(name).values();
        float original = v[index];
        try {
            v[index] = (float) (original + eps);
            g.loadState(state);
            double plus = g.probe().loss(batch, y);
            v[index] = (float) (original - eps);
            g.loadState(state);
            double minus = g.probe().loss(batch, y);
            return (plus - minus) / (2 * eps);
        } finally {
            v[index] = original;
            g.loadState(state);
        }
    }

    static Weights scaled(Weights w, double factor) {
        Map<String, Weights.Tensor> m = new LinkedHashMap<>();
        w.tensors().forEach((name, t) -> {
            float[] v = t.values().clone();
            if (!name.contains("LayerNorm") && !name.contains("layer_norm")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] *= (float) factor;
                }
            }
            m.put(name, new Weights.Tensor(t.shape().clone(), v));
        });
        return new Weights(m);
    }
}
