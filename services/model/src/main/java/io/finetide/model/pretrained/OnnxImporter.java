package io.finetide.model.pretrained;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.CodedInputStream;

import io.finetide.model.onnx.Onnx.GraphProto;
import io.finetide.model.onnx.Onnx.ModelProto;
import io.finetide.model.onnx.Onnx.NodeProto;
import io.finetide.model.onnx.Onnx.TensorProto;
import io.finetide.model.transformer.Weights;

/**
 * Reads the float weights of a BERT-family encoder from an ONNX export. Exporters keep Hugging Face names for
 * embeddings, LayerNorms and biases but rename the large linear weights ({@code onnx::MatMul_787}); each of those
 * feeds a MatMul whose output goes into an Add with a named bias, and the bias's name gives the weight's name back.
 * Linear weights are stored [in, out], the layout the encoder graph uses.
 */
public final class OnnxImporter {

    private OnnxImporter() {
    }

    /** Every float initializer under its Hugging Face name; initializers that cannot be named are left out. */
    public static Map<String, Weights.Tensor> read(InputStream in) throws IOException {
        CodedInputStream coded = CodedInputStream.newInstance(in);
        coded.setSizeLimit(Integer.MAX_VALUE);
        ModelProto model = ModelProto.parseFrom(coded);
        GraphProto graph = model.getGraph();

        Map<String, TensorProto> initializers = new LinkedHashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String input : n.getInputList()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(n);
            }
        }
        Map<String, String> renamed = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            if (!n.getOpType().equals("MatMul")) {
                continue;
            }
            for (String input : n.getInputList()) {
                if (!initializers.containsKey(input) || input.endsWith(".weight")) {
                    continue;
                }
                for (NodeProto add : consumers.getOrDefault(n.getOutput(0), List.of())) {
                    if (!add.getOpType().equals("Add")) {
                        continue;
                    }
                    for (String other : add.getInputList()) {
                        if (other.endsWith(".bias") && initializers.containsKey(other)) {
                            renamed.put(input, other.substring(0, other.length() - ".bias".length()) + ".weight");
                        }
                    }
                }
            }
        }

        Map<String, Weights.Tensor> out = new LinkedHashMap<>();
        for (TensorProto t : initializers.values()) {
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                continue;
            }
            String name = renamed.getOrDefault(t.getName(), t.getName());
            if (name.startsWith("onnx::")) {
                continue; // an anonymous constant, not a parameter
            }
            out.put(name, new Weights.Tensor(dims(t), floats(t)));
        }
        return out;
    }

    private static int[] dims(TensorProto t) {
        int[] d = new int[t.getDimsCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.toIntExact(t.getDims(i));
        }
        return d;
    }

    private static float[] floats(TensorProto t) {
        if (t.hasRawData()) {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[raw.remaining() / 4];
            raw.asFloatBuffer().get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }
}
