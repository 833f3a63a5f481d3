package io.finetide.model.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import io.finetide.model.optim.Slots;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Weights;

/**
 * Every variable of a graph by name (parameters, adapters, optimizer state), each with a feed and an assign op so
 * that values are loaded in one session run, and copied out in one.
 */
final class Variables implements Slots {

    private record Slot(Variable<TFloat32> variable, int[] shape, Placeholder<TFloat32> feed, Op assign) {
    }

    private final Ops tf;
    private final Map<String, Slot> slots = new LinkedHashMap<>();

    Variables(Ops tf) {
        this.tf = tf;
    }

    @Override
    public Variable<TFloat32> create(String name, int[] dims) {
        Shape shape = shapeOf(dims);
        Variable<TFloat32> v = tf.variable(shape, TFloat32.class);
        Placeholder<TFloat32> feed = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
        if (slots.putIfAbsent(name, new Slot(v, dims.clone(), feed, tf.assign(v, feed))) != null) {
            throw new IllegalStateException("two variables named " + name);
        }
        return v;
    }

    @Override
    public Variable<TFloat32> get(String name) {
        return slots.get(name).variable();
    }

    Set<String> names() {
        return slots.keySet();
    }

    /** Assigns each named value to its variable in one run. */
    void assign(Session session, Map<String, Weights.Tensor> values) {
        List<TFloat32> tensors = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            values.forEach((name, w) -> {
                Slot s = slots.get(name);
                if (s == null) {
                    throw new IllegalArgumentException("the graph has no variable '" + name + "'");
                }
                if (!Arrays.equals(s.shape(), w.shape())) {
                    throw new IllegalArgumentException("variable '" + name + "' has shape " + Arrays.toString(s
                            .shape()) + ", given " + Arrays.toString(w.shape()));
                }
                TFloat32 t = TFloat32.tensorOf(shapeOf(w.shape()), DataBuffers.of(w.values(), true, false));
                tensors.add(t);
                runner.feed(s.feed(), t);
                runner.addTarget(s.assign());
            });
            runner.run().close();
        } finally {
            tensors.forEach(TFloat32::close);
        }
    }

    /** Assigns the model parameters {@code specs} from {@code weights} (the graph's other variables untouched). */
    void assignParameters(Session session, List<ParamSpec> specs, Weights weights) {
        Map<String, Weights.Tensor> model = new LinkedHashMap<>();
        for (ParamSpec p : specs) {
            model.put(p.name(), weights.get(p.name()));
        }
        assign(session, model);
    }

    /** Assigns a whole state (every variable, nothing else), as a resumed run needs it. */
    void restore(Session session, Weights state) {
        if (!state.tensors().keySet().equals(slots.keySet())) {
            Set<String> missing = new TreeSet<>(slots.keySet());
            missing.removeAll(state.tensors().keySet());
            Set<String> unknown = new TreeSet<>(state.tensors().keySet());
            unknown.removeAll(slots.keySet());
            throw new IllegalArgumentException("the state does not fit this graph: missing " + missing
                    + ", unknown " + unknown);
        }
        assign(session, state.tensors());
    }

    /** The values of {@code operands}, copied out of the graph in one run. */
    static Weights fetch(Session session, Map<String, Operand<TFloat32>> operands) {
        Session.Runner runner = session.runner();
        List<String> names = new ArrayList<>(operands.keySet());
        names.forEach(n -> runner.fetch(operands.get(n)));
        Map<String, Weights.Tensor> out = new LinkedHashMap<>();
        try (Result r = runner.run()) {
            for (int i = 0; i < names.size(); i++) {
                TFloat32 t = (TFloat32) r.get(i);
                int[] shape = new int[t.shape().numDimensions()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = (int) t.shape().get(d);
                }
                float[] values = new float[(int) t.shape().size()];
                t.copyTo(DataBuffers.of(values, false, false));
                out.put(names.get(i), new Weights.Tensor(shape, values));
            }
        }
        return new Weights(out);
    }

    private static Shape shapeOf(int[] dims) {
        long[] s = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = dims[i];
        }
        return Shape.of(s);
    }
}
