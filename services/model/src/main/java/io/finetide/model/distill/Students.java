package io.finetide.model.distill;

import java.util.LinkedHashMap;
import java.util.Map;

import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A smaller student made from its teacher, as DistilBERT was: the teacher's embeddings, head and an evenly spaced
 * choice of its layers (every other one when the student has half as many), so the student starts where the teacher
 * is rather than from random weights. An ALBERT teacher, whose layers share one set of parameters, gives a student that
 * runs that set fewer times.
 */
public final class Students {

    /** A student's shape and starting weights, and which teacher layer each of its layers came from. */
    public record Student(TransformerConfig config, Weights weights, int[] teacherLayers) {
    }

    private Students() {
    }

    /**
     * @param layers the student's layers, from 1 to the teacher's
     */
    public static Student fromTeacher(TransformerConfig teacher, Weights weights, int layers) {
        if (teacher.encoderDecoder()) {
            throw new IllegalArgumentException("a student is made from an encoder's or a decoder's layers; an "
                    + "encoder-decoder's two stacks are not distilled here");
        }
        if (layers < 1 || layers > teacher.layers()) {
            throw new IllegalArgumentException("a student of " + teacher.layers() + " layers has 1 to "
                    + teacher.layers() + " layers, not " + layers);
        }
        weights.requireCompatible(teacher);
        int[] chosen = new int[layers];
        for (int i = 0; i < layers; i++) {
            chosen[i] = i * teacher.layers() / layers;
        }
        TransformerConfig config = teacher.toBuilder().layers(layers).build();
        if (teacher.shareLayers()) {
            return new Student(config, weights.copy(), chosen);
        }
        Map<String, String> from = new LinkedHashMap<>();
        for (int i = 0; i < layers; i++) {
            from.put(ParamSpec.layer(i), ParamSpec.layer(chosen[i]));
        }
        Map<String, Weights.Tensor> out = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            String source = p.name();
            for (Map.Entry<String, String> e : from.entrySet()) {
                if (p.name().startsWith(e.getKey())) {
                    source = e.getValue() + p.name().substring(e.getKey().length());
                    break;
                }
            }
            out.put(p.name(), weights.get(source).copy());
        }
        return new Student(config, new Weights(out), chosen);
    }
}
