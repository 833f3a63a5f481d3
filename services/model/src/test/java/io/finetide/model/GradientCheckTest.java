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

import io.finetide.model.encoder.Batch;
import io.finetide.model.encoder.EncoderConfig;
import io.finetide.model.encoder.EncoderGraph;
import io.finetide.model.encoder.Lora;
import io.finetide.model.encoder.ParamSpec;
import io.finetide.model.encoder.Weights;

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
        String pooling = switch (variant) {
            case "albert" -> "mean";
            case "decoder-last" -> EncoderConfig.LAST;
            case "decoder-lm", "t5" -> EncoderConfig.LANGUAGE_MODEL;
            default -> variant;
        };
        EncoderConfig cfg = switch (variant) {
            case "albert" -> new EncoderConfig(20, 8, 2, 8, 2, 2, 12, 3, pooling, 0, 1e-12, 4, true);
            case "decoder-last", "decoder-lm" -> EncoderConfig.decoder(20, 8, 8, 2, 2, 12, 3, pooling, 0);
            // Sources up to 6 tokens reach the logarithmic buckets (from distance 2 with 8 buckets).
            case "t5" -> EncoderConfig.encoderDecoder(20, 8, 8, 2, 2, 12, 0, 8, 10, 1e-6);
            default -> new EncoderConfig(20, 8, 2, 8, 2, 2, 12, 3, pooling, 0, 1e-12);
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
        int[] y = cfg.tokenClassification()
                ? new int[]{-1, 0, 2, -1, -1, -1, -1, 1, -1, -1, -1, -1, -1, 2, 0, 0, 1, -1}
                : new int[]{0, 2, 1};
        if (cfg.encoderDecoder()) {
            // Decoder inputs (start id 0, then the target shifted) and the next target token at each real position.
            batch = batch.withDecoder(Batch.of(new int[][]{{0, 4, 6}, {0, 8}, {0, 3, 9, 15}}, 0, 1, 8));
            y = new int[]{4, 6, 2, -1, 8, 2, -1, -1, 3, 9, 15, 2};
        }
        try (EncoderGraph g = EncoderGraph.create(cfg, w, new EncoderGraph.Options(true, all, 1, 1, 0.1, null, 1.0,
                EncoderGraph.Optimizer.ADAMW, 0, lora, false, false))) {
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
            Map<String, float[]> grads = g.gradients(batch, y);
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

    private static double centralDifference(EncoderGraph g, Weights state, String name, int index, Batch batch,
            int[] y, double eps) {
        float[] v = state.get(name).values();
        float original = v[index];
        try {
            v[index] = (float) (original + eps);
            g.loadState(state);
            double plus = g.loss(batch, y);
            v[index] = (float) (original - eps);
            g.loadState(state);
            double minus = g.loss(batch, y);
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
