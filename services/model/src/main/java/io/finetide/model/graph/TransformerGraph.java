package io.finetide.model.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

import io.finetide.model.adapters.Lora;
import io.finetide.model.arch.EncoderDecoderStack;
import io.finetide.model.arch.Hidden;
import io.finetide.model.arch.Inputs;
import io.finetide.model.arch.SelfAttentionStack;
import io.finetide.model.heads.Heads;
import io.finetide.model.layers.Dropout;
import io.finetide.model.layers.Layers;
import io.finetide.model.optim.Updates;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A Transformer (BERT/ALBERT, GPT-2 or T5, per its {@link TransformerConfig}) with its head, as one TensorFlow graph
 * and session. In training mode it also holds the loss, the gradients of the trainable parameters and the
 * optimizer's update ({@link Updates}); one {@link #trainStep} is one session run (or, with gradient accumulation,
 * {@link #accumulate} per micro-batch and one {@link #applyAccumulated}).
 *
 * <p>
 * Every piece of training state lives in graph variables: parameters, LoRA adapters, optimizer moments and each
 * parameter's own step count. Dropout masks are stateless functions of (seed, step, op), so {@link #state()} and
 * {@link #loadState} resume a run exactly.
 *
 * <p>
 * Parameters are ref variables. The update reads each parameter only after the global gradient norm exists, and that
 * norm depends on every gradient, hence on every read of every parameter in the forward and backward pass: so no
 * assignment can overtake a read within the step.
 */
public final class TransformerGraph implements AutoCloseable {

    public record StepResult(float loss, float gradNorm) {
    }

    private final TransformerConfig config;
    private final GraphOptions options;
    private final Graph graph;
    private final Session session;
    private final Ops tf;
    private final List<ParamSpec> specs;
    private final List<ParamSpec> loraSpecs;
    private final Variables variables;
    /** Each parameter's and adapter's read, by name. */
    private final Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
    /** What {@link #weights()} exports: the read, or for an adapted weight {@code W + scale A B}. */
    private final Map<String, Operand<TFloat32>> exported = new LinkedHashMap<>();
    /** Token ids, mask and segment ids; an encoder-decoder's decoder ids (the target shifted right) and mask. */
    private final Inputs inputs;
    private final Placeholder<TFloat32> dropoutRate;
    private final Operand<TInt64> dropoutKey;
    private final Operand<TFloat32> logits;
    private final Operand<TFloat32> probabilities;
    /** [batch, time, hidden]: the last hidden states (an encoder-decoder's decoder's), before the head. */
    private final Operand<TFloat32> lastHidden;
    private final TrainingOps training;
    /** An explaining graph's ops; null otherwise. */
    private final ExplanationOps explanation;
    /** A private training graph's DP-SGD steps; null otherwise. */
    private final PrivateSteps privateSteps;

    private TransformerGraph(TransformerConfig config, GraphOptions options) {
        this.config = config;
        this.options = options;
        this.graph = new Graph();
        this.tf = Ops.create(graph);
        this.variables = new Variables(tf);
        this.specs = ParamSpec.forConfig(config);
        this.loraSpecs = options.lora() == null ? List.of() : options.lora().params(config);
        for (ParamSpec p : specs) {
            reads.put(p.name(), tf.identity(variables.create(p.name(), p.shape())));
        }
        for (ParamSpec p : loraSpecs) {
            reads.put(p.name(), tf.identity(variables.create(p.name(), p.shape())));
        }
        for (ParamSpec p : specs) {
            exported.put(p.name(), reads.get(p.name()));
        }
        if (options.lora() != null) {
            Operand<TFloat32> scale = tf.constant((float) options.lora().scale());
            for (String prefix : options.lora().prefixes(config)) {
                exported.put(prefix + ".weight", tf.math.add(reads.get(prefix + ".weight"), tf.math.mul(scale,
                        tf.linalg.matMul(reads.get(prefix + Lora.A), reads.get(prefix + Lora.B)))));
            }
        }
        Placeholder<TInt32> inputIds = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        Placeholder<TFloat32> attentionMask = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
        dropoutRate = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        dropoutKey = tf.placeholderWithDefault(tf.constant(new long[]{0, 0}), Shape.of(2));
        // Segment ids default to 0 everywhere (a [1, 1] default broadcasts over the batch).
        Operand<TInt32> tokenTypes = tf.placeholderWithDefault(tf.constant(new int[][]{{0}}), Shape.of(-1, -1));
        Placeholder<TInt32> decoderIds = config.encoderDecoder()
                ? tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)))
                : null;
        Placeholder<TFloat32> decoderMask = config.encoderDecoder()
                ? tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)))
                : null;
        Layers layers = new Layers(tf, config, reads, options.lora(), Dropout.of(tf, options.training(),
                dropoutRate, dropoutKey));
        inputs = new Inputs(inputIds, attentionMask, tokenTypes, decoderIds, decoderMask);
        Operand<TFloat32> wordEmbeddings;
        Operand<TFloat32> classifierFeatures = null;
        if (config.encoderDecoder()) {
            Hidden decoder = EncoderDecoderStack.build(layers, inputs);
            lastHidden = decoder.states();
            wordEmbeddings = null;
            logits = Heads.tiedLanguageModel(layers, decoder);
        } else {
            Hidden hidden = SelfAttentionStack.build(layers, inputs);
            lastHidden = hidden.states();
            wordEmbeddings = hidden.wordEmbeddings();
            Heads.Output head = Heads.logits(layers, hidden, attentionMask);
            logits = head.logits();
            classifierFeatures = head.features();
        }
        probabilities = tf.nn.softmax(logits);
        explanation = ExplanationOps.of(graph, tf, options, probabilities, wordEmbeddings);
        List<ParamSpec> all = new ArrayList<>(specs);
        all.addAll(loraSpecs);
        training = options.training()
                ? TrainingOps.build(graph, tf, config, options, all, reads, variables, logits, classifierFeatures)
                : null;
        ConfigProto proto = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(options.threads())
                .setInterOpParallelismThreads(options.threads())
                .build();
        this.session = new Session(graph, proto);
        this.privateSteps = training != null && training.privacy() != null
                ? new PrivateSteps(session, new PrivateSteps.Feeds(inputs, training, dropoutRate, dropoutKey, options
                        .seed(), options.staged()))
                : null;
    }

    /** A graph holding {@code weights}; in training mode with fresh optimizer state (and fresh adapters). */
    public static TransformerGraph create(TransformerConfig config, Weights weights, GraphOptions options) {
        weights.requireCompatible(config);
        TransformerGraph g = new TransformerGraph(config, options);
        try {
            g.load(weights);
            if (options.lora() != null) {
                g.variables.assign(g.session, options.lora().initial(config, options.seed()).tensors());
            }
            if (options.training()) {
                g.session.run(g.training.resetOptimizer());
                if (g.training.accumulation() != null) {
                    g.session.run(g.training.accumulation().clear());
                }
                if (g.training.privacy() != null) {
                    g.session.run(g.training.privacy().accumulation().clear());
                }
            }
            return g;
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    public TransformerConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ weights and state

    /** Replaces every model parameter with the given values. */
    public void load(Weights weights) {
        variables.assignParameters(session, specs, weights);
    }

    /** The model's parameters, copied out of the graph; adapters are merged into the weights they adapt. */
    public Weights weights() {
        return Variables.fetch(session, exported);
    }

    /**
     * Everything a resumed run needs, copied out of the graph: parameters and adapters unmerged, optimizer moments,
     * step counts and accumulators.
     */
    public Weights state() {
        Map<String, Operand<TFloat32>> all = new LinkedHashMap<>();
        for (String name : variables.names()) {
            all.put(name, reads.containsKey(name) ? reads.get(name) : tf.identity(variables.get(name)));
        }
        return Variables.fetch(session, all);
    }

    /** Restores what {@link #state()} returned, from a graph built with the same configuration and options. */
    public void loadState(Weights state) {
        variables.restore(session, state);
    }

    // ------------------------------------------------------------------ inference

    /** Class probabilities for a padded batch, [batch][labels]. */
    public float[][] predict(Batch batch) {
        if (config.perPosition()) {
            throw new IllegalStateException("a token-classification model labels tokens: predictTokens");
        }
        return infer(batch, probabilities, t -> Outputs.rows(t, batch.size(), config.numLabels()));
    }

    /** Label probabilities of every position of a padded batch, [batch][time][labels]. */
    public float[][][] predictTokens(Batch batch) {
        if (!config.perPosition()) {
            throw new IllegalStateException("a sequence-classification model labels sequences: predict");
        }
        return infer(batch, probabilities, t -> Outputs.perPosition(t, batch.size(), batch.outputLength(), config
                .numLabels()));
    }

    /**
     * The head's outputs before the softmax: [batch][labels], or for a model labelling positions [batch * time][labels]
     * (an encoder-decoder's time is the decoder's).
     */
    public float[][] logits(Batch batch) {
        int rows = config.perPosition() ? batch.size() * batch.outputLength() : batch.size();
        return infer(batch, logits, t -> Outputs.rows(t, rows, config.numLabels()));
    }

    /** The last hidden states of a padded batch, flat in [batch][time][hidden] order. */
    public float[] hiddenStates(Batch batch) {
        return infer(batch, lastHidden, t -> {
            float[] out = new float[batch.size() * batch.outputLength() * config.hiddenSize()];
            t.copyTo(DataBuffers.of(out, false, false));
            return out;
        });
    }

    /**
     * The {@code serving_default} function of an inference graph: inputs {@code input_ids} (int32 [batch, time]),
     * {@code attention_mask} (float32, 1 for real tokens) and {@code token_type_ids} (int32, zeros for single texts),
     * output {@code probabilities} ([batch, labels], or [batch * time, labels] for a model labelling positions). An
     * encoder-decoder's takes {@code decoder_input_ids} and {@code decoder_attention_mask} instead of the segment
     * ids (the target so far, starting with the pad id) and answers [batch * target time, vocabulary].
     */
    /**
     * Runs the batch with the word embeddings fed instead of looked up (an integrated-gradients path) and
     * differentiates the chosen probabilities: see {@link ExplanationOps#run}.
     */
    public EmbeddingGradients embeddingGradients(Batch batch, float[] embeddings, float[] target) {
        if (explanation == null) {
            throw new IllegalStateException("graph was built without explanations (GraphOptions.explaining)");
        }
        int rows = config.perPosition() ? batch.size() * batch.length() : batch.size();
        try (BatchTensors in = new BatchTensors(batch, inputs)) {
            return explanation.run(in.feed(session.runner()), batch, config.embeddingSize(), rows, config
                    .numLabels(), embeddings, target);
        }
    }

    public SessionFunction servingFunction() {
        if (options.training()) {
            throw new IllegalStateException("export an inference graph (TransformerGraph.GraphOptions.inference)");
        }
        Signature.Builder builder = Signature.builder().key("serving_default").input("input_ids", inputs.ids())
                .input("attention_mask", inputs.mask());
        if (config.encoderDecoder()) {
            builder.input("decoder_input_ids", inputs.decoderIds()).input("decoder_attention_mask", inputs
                    .decoderMask());
        } else {
            builder.input("token_type_ids", inputs.types());
        }
        return SessionFunction.create(builder.output("probabilities", probabilities).build(), session);
    }

    /** One forward pass without dropout, reading {@code fetch} before its tensor is closed. */
    private <T> T infer(Batch batch, Operand<TFloat32> fetch, Function<TFloat32, T> read) {
        try (BatchTensors in = new BatchTensors(batch, inputs);
                TFloat32 noDropout = TFloat32.scalarOf(0f)) {
            Session.Runner runner = in.feed(session.runner());
            if (options.training()) {
                runner.feed(dropoutRate, noDropout);
            }
            try (Result r = runner.fetch(fetch).run()) {
                return read.apply((TFloat32) r.get(0));
            }
        }
    }

    // ------------------------------------------------------------------ training

    /** The loss and gradients of a training graph, read without changing anything (for checks and tests). */
    public GradientProbe probe() {
        return new GradientProbe(session, inputs, requireTraining(), dropoutRate);
    }

    /** One optimisation step on one batch. */
    public StepResult trainStep(Batch batch, int[] batchLabels, UpdateStep step) {
        requireTraining();
        return run(batch, batchLabels, step, true);
    }

    /**
     * Adds a micro-batch's gradient to the accumulators (weighted by its examples) without updating; returns its loss.
     */
    public float accumulate(Batch batch, int[] batchLabels, UpdateStep step) {
        requireAccumulation();
        return run(batch, batchLabels, step, false).loss();
    }

    /** One update from the mean of the accumulated gradients, then empty accumulators; returns the gradient norm. */
    public float applyAccumulated(UpdateStep step) {
        Updates.Accumulation acc = requireAccumulation();
        float norm;
        try (StepTensors f = new StepTensors(step, training, options.staged());
                Result r = f.feed(session.runner()).fetch(acc.apply().norm()).addTarget(acc.apply().op()).run()) {
            norm = ((TFloat32) r.get(0)).getFloat();
        }
        session.run(acc.clear());
        return norm;
    }

    /** The DP-SGD steps of a graph built with {@link GraphOptions#privateSteps}. */
    public PrivateSteps privateSteps() {
        if (privateSteps == null) {
            throw new IllegalStateException("graph was built without DP-SGD (GraphOptions privateSteps)");
        }
        return privateSteps;
    }

    private StepResult run(Batch batch, int[] batchLabels, UpdateStep step, boolean fused) {
        TrainingOps t = training;
        try (BatchTensors in = new BatchTensors(batch, inputs);
                TInt32 y = TInt32.vectorOf(batchLabels);
                TFloat32 rate = TFloat32.scalarOf((float) step.dropout());
                TInt64 key = TInt64.vectorOf(options.seed(), step.randomKey() * Dropout.KEYS_PER_STEP);
                StepTensors f = new StepTensors(step, training, options.staged());
                TFloat32 soft = batch.softLabelsTensor()) {
            if ((t.softLabels() != null) != (soft != null)) {
                throw new IllegalArgumentException(soft == null
                        ? "a distilling graph learns each batch's soft labels (Batch.withSoftLabels)"
                        : "soft labels are for a graph built to distil (GraphOptions distillation)");
            }
            Session.Runner runner = in.feed(f.feed(session.runner()))
                    .feed(t.labels(), y).feed(dropoutRate, rate).feed(dropoutKey, key).fetch(t.loss());
            if (soft != null) {
                runner.feed(t.softLabels(), soft);
            }
            if (fused) {
                runner.fetch(t.update().norm()).addTarget(t.update().op());
            } else {
                runner.addTarget(t.accumulation().accumulate());
            }
            try (Result r = runner.run()) {
                return new StepResult(((TFloat32) r.get(0)).getFloat(), fused
                        ? ((TFloat32) r.get(1)).getFloat()
                        : Float.NaN);
            }
        }
    }

    private TrainingOps requireTraining() {
        if (training == null) {
            throw new IllegalStateException("graph was built for inference");
        }
        return training;
    }

    private Updates.Accumulation requireAccumulation() {
        TrainingOps t = requireTraining();
        if (t.accumulation() == null) {
            throw new IllegalStateException("graph was built without gradient accumulation");
        }
        return t.accumulation();
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
