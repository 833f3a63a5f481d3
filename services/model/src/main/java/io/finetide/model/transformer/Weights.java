package io.finetide.model.transformer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Named float tensors in a fixed order: the portable form of a model's parameters, independent of any TF graph. The
 * binary form is "FTW1", count, then per tensor: name (UTF), rank, dims, little-endian floats.
 */
public final class Weights {

    private static final int MAGIC = 0x46545731; // "FTW1"

    public record Tensor(int[] shape, float[] values) {
        public Tensor {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            if (n != values.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + values.length);
            }
        }

        public Tensor copy() {
            return new Tensor(shape.clone(), values.clone());
        }
    }

    private final Map<String, Tensor> tensors;

    public Weights(Map<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("missing tensor '" + name + "'");
        }
        return t;
    }

    public Weights copy() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        tensors.forEach((k, v) -> m.put(k, v.copy()));
        return new Weights(m);
    }

    /** BERT's initialisation: N(0, 0.02) for matrices and embeddings, ones for LayerNorm gains, zeros for biases. */
    public static Weights initialise(TransformerConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            float[] v = new float[p.size()];
            switch (p.init()) {
                case NORMAL -> {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (gaussian(random) * 0.02);
                    }
                }
                case ONES -> Arrays.fill(v, 1f);
                case ZEROS -> {
                }
            }
            m.put(p.name(), new Tensor(p.shape(), v));
        }
        return new Weights(m);
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller, truncated at 2 sigma like BERT's truncated_normal initializer.
        while (true) {
            double u1 = r.nextDouble();
            double u2 = r.nextDouble();
            double z = Math.sqrt(-2 * Math.log(u1 + 1e-300)) * Math.cos(2 * Math.PI * u2);
            if (Math.abs(z) <= 2) {
                return z;
            }
        }
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writeTo(bytes);
        return bytes.toByteArray();
    }

    /** Streams the tensors in the {@link #fromBytes} format (no whole-file copy in memory). */
    public void writeTo(java.io.OutputStream target) {
        try {
            DataOutputStream out = new DataOutputStream(target);
            out.writeInt(MAGIC);
            out.writeInt(tensors.size());
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                out.writeUTF(e.getKey());
                int[] shape = e.getValue().shape();
                out.writeInt(shape.length);
                for (int d : shape) {
                    out.writeInt(d);
                }
                float[] v = e.getValue().values();
                ByteBuffer buf = ByteBuffer.allocate(Math.min(v.length, 1 << 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int start = 0; start < v.length; start += 1 << 16) {
                    int n = Math.min(1 << 16, v.length - start);
                    buf.clear();
                    buf.asFloatBuffer().put(v, start, n);
                    out.write(buf.array(), 0, n * 4);
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Weights fromBytes(InputStream input) throws IOException {
        DataInputStream in = new DataInputStream(input);
        if (in.readInt() != MAGIC) {
            throw new IOException("not a Finetide weights file");
        }
        int count = in.readInt();
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            int rank = in.readInt();
            int[] shape = new int[rank];
            long n = 1;
            for (int d = 0; d < rank; d++) {
                shape[d] = in.readInt();
                n *= shape[d];
            }
            byte[] raw = in.readNBytes(Math.toIntExact(n * 4));
            if (raw.length != n * 4) {
                throw new IOException("truncated tensor " + name);
            }
            float[] v = new float[(int) n];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            m.put(name, new Tensor(shape, v));
        }
        return new Weights(m);
    }

    /** Checks names and shapes against what {@code config} needs, naming the first tensor that does not fit. */
    public void requireCompatible(TransformerConfig config) {
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            Tensor t = tensors.get(p.name());
            if (t == null) {
                throw new IllegalArgumentException("missing tensor '" + p.name() + "'");
            }
            if (!Arrays.equals(t.shape(), p.shape())) {
                throw new IllegalArgumentException("tensor '" + p.name() + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(p.shape()));
            }
        }
    }

}
