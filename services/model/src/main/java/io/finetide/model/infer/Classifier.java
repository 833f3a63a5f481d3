package io.finetide.model.infer;

import java.util.ArrayList;
import java.util.List;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.encoder.EncoderGraph;
import io.finetide.model.text.TextEncoder;
import io.finetide.model.train.Trainer;

/**
 * Serves a model bundle: tokenises, batches by length and returns probabilities. Thread-safe (TensorFlow sessions
 * accept concurrent runs); close it only when no call is in flight.
 */
public final class Classifier implements AutoCloseable {

    public record Prediction(String label, float confidence, float[] probabilities) {
    }

    private final ModelBundle bundle;
    private final TextEncoder encoder;
    private final EncoderGraph graph;

    private Classifier(ModelBundle bundle, TextEncoder encoder, EncoderGraph graph) {
        this.bundle = bundle;
        this.encoder = encoder;
        this.graph = graph;
    }

    public static Classifier load(ModelBundle bundle, int threads) {
        TextEncoder encoder = TextEncoder.fromJson(bundle.tokenizerName(), bundle.tokenizerJson(),
                bundle.maxSeqLength(), bundle.truncation());
        try {
            EncoderGraph graph = EncoderGraph.create(bundle.config(), bundle.weights(),
                    EncoderGraph.Options.inference(threads));
            return new Classifier(bundle, encoder, graph);
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    public float[][] probabilities(List<String> texts) {
        int maxLength = Math.min(encoder.maxLength(), bundle.config().maxPositions());
        return Trainer.predict(graph, encoder.encodeAll(texts), encoder.padId(), maxLength);
    }

    public List<Prediction> predict(List<String> texts) {
        float[][] p = probabilities(texts);
        List<Prediction> out = new ArrayList<>(p.length);
        for (float[] row : p) {
            int best = Trainer.argMax(row);
            out.add(new Prediction(bundle.labels().get(best), row[best], row));
        }
        return out;
    }

    public int[] predictIndices(List<String> texts) {
        float[][] p = probabilities(texts);
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Trainer.argMax(p[i]);
        }
        return out;
    }

    public ModelBundle bundle() {
        return bundle;
    }

    @Override
    public void close() {
        graph.close();
        encoder.close();
    }
}
