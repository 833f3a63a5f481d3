package io.finetide.model.export;

import java.io.IOException;
import java.nio.file.Path;

import org.tensorflow.SavedModelBundle;

import io.finetide.model.graph.TransformerGraph;

/**
 * A model as a TensorFlow SavedModel (tag {@code serve}), for serving stacks that load SavedModels; its
 * {@code serving_default} signature is {@link TransformerGraph#servingFunction()}'s. Only an inference graph exports:
 * it needs no dropout or optimizer inputs.
 */
public final class SavedModels {

    private SavedModels() {
    }

    public static void export(TransformerGraph graph, Path dir) throws IOException {
        SavedModelBundle.exporter(dir.toString()).withFunction(graph.servingFunction()).export();
    }
}
