package io.finetide.model.pretrained;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Pretrained encoders that ship inside Maven Central jars (never fetched from a hub at run time), by name. A base
 * model's encoder weights get a freshly initialised classification head of the task's size.
 */
public final class PretrainedEncoders {

    /**
     * A base model: where its ONNX file is on the classpath, its tokenizer, what ONNX does not record, and the pooling
     * it was trained with (sentence-transformers' MiniLM averages the tokens; BGE reads [CLS]).
     */
    public record Base(String name, String onnxResource, String tokenizer, int heads, double layerNormEps,
            Pooling pooling, Shape shape) {
    }

    /**
     * The sizes of a base model, known without reading its weights (so that a run continuing from a champion can
     * compare configurations without parsing a 90-130 MB file); checked against the file whenever it is read.
     */
    public record Shape(int vocab, int positions, int types, int hidden, int layers, int intermediate) {
    }

    public static final Map<String, Base> BUILTIN = Map.of(
            "minilm-l6",
            new Base("minilm-l6", "/all-minilm-l6-v2.onnx", "minilm-l6", 12, 1e-12, Pooling.MEAN, new Shape(
                    30522, 512, 2, 384, 6, 1536)),
            "bge-small",
            new Base("bge-small", "/bge-small-en-v1.5.onnx", "bge-small", 12, 1e-12, Pooling.CLS, new Shape(
                    30522, 512, 2, 384, 12, 1536)));

    public record Pretrained(TransformerConfig config, Weights weights) {
    }

    private PretrainedEncoders() {
    }

    public static Base base(String name) {
        Base b = BUILTIN.get(name);
        if (b == null) {
            throw new IllegalArgumentException("unknown base model '" + name + "', known: " + BUILTIN.keySet());
        }
        return b;
    }

    /** The configuration {@link #load} gives, from the declared shape alone (no weights are read). */
    public static TransformerConfig config(String name, HeadSpec head, double dropout) {
        Base b = base(name);
        Shape s = b.shape();
        return TransformerConfig.encoderBuilder().vocabSize(s.vocab()).maxPositions(s.positions())
                .typeVocabSize(s.types()).hiddenSize(s.hidden()).layers(s.layers()).heads(b.heads())
                .intermediateSize(s.intermediate()).head(head).dropout(dropout).layerNormEps(b.layerNormEps()).build();
    }

    /** The base model's encoder with a new head. */
    public static Pretrained load(String name, HeadSpec head, double dropout, long seed) {
        Base base = base(name);
        Map<String, Weights.Tensor> encoder;
        try (InputStream in = PretrainedEncoders.class.getResourceAsStream(base.onnxResource())) {
            if (in == null) {
                throw new IllegalStateException(base.onnxResource() + " is not on the classpath");
            }
            encoder = OnnxImporter.read(new BufferedInputStream(in, 1 << 20));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + base.onnxResource(), e);
        }
        return withHead(encoder, base, head, dropout, seed);
    }

    static Pretrained withHead(Map<String, Weights.Tensor> encoder, Base base, HeadSpec head, double dropout,
            long seed) {
        int[] words = shape(encoder, ParamSpec.WORD_EMBEDDINGS);
        int layers = 0;
        while (encoder.containsKey(ParamSpec.layer(layers) + "attention.self.query.weight")) {
            layers++;
        }
        int intermediate = shape(encoder, ParamSpec.layer(0) + "intermediate.dense.bias")[0];
        Shape found = new Shape(words[0], shape(encoder, ParamSpec.POSITION_EMBEDDINGS)[0], shape(encoder,
                ParamSpec.TYPE_EMBEDDINGS)[0], words[1], layers, intermediate);
        if (!found.equals(base.shape())) {
            throw new IllegalArgumentException("base model " + base.name() + " has the shape " + found
                    + ", declared " + base.shape());
        }
        TransformerConfig config = TransformerConfig.encoderBuilder().vocabSize(words[0])
                .maxPositions(found.positions()).typeVocabSize(found.types()).hiddenSize(words[1]).layers(layers)
                .heads(base.heads()).intermediateSize(intermediate).head(head).dropout(dropout)
                .layerNormEps(base.layerNormEps()).build();
        Map<String, Weights.Tensor> all = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            Weights.Tensor t = encoder.get(p.name());
            if (t == null && p.name().startsWith(ParamSpec.CLASSIFIER)) {
                t = head(p, seed);
            }
            if (t == null) {
                throw new IllegalArgumentException("base model " + base.name() + " has no tensor '" + p.name() + "'");
            }
            all.put(p.name(), t);
        }
        Weights weights = new Weights(all);
        weights.requireCompatible(config);
        return new Pretrained(config, weights);
    }

    /** A new head's tensor: uniform with the standard deviation of N(0, 0.02) for weights, zeros for biases. */
    static Weights.Tensor head(ParamSpec p, long seed) {
        float[] v = new float[p.size()];
        if (p.init() == ParamSpec.Init.NORMAL) {
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextDouble(-1, 1) * 0.02 * Math.sqrt(3)); // uniform with the std of N(0, 0.02)
            }
        }
        return new Weights.Tensor(p.shape().clone(), v);
    }

    private static int[] shape(Map<String, Weights.Tensor> encoder, String name) {
        Weights.Tensor t = encoder.get(name);
        if (t == null) {
            throw new IllegalArgumentException("base model has no tensor '" + name + "'");
        }
        return t.shape();
    }
}
