package io.finetide.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.graph.UpdateStep;
import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * Our MiniLM-L6 against its peers, side by side in one run on the same weights, batch, sequence length and thread
 * count: inference sentences/s against ONNX Runtime (Java) on the same ONNX file and against Hugging Face transformers
 * on PyTorch; full fine-tuning examples/s (AdamW, clipping, dropout) against PyTorch. PyTorch loads the weights from
 * the Hugging Face folder our exporter writes, and its probabilities on the first batch are compared with ours: the
 * folder round trip and both implementations agree, or the figures mean nothing. Batches are full (no padding):
 * consecutive sentences of the SST-2 sentences set joined and cut to the length.
 */
final class PeersBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path work;
    private final Path data;
    private final Path python;
    private final Path script;
    private final int threads;
    private final int batchSize;
    private final List<Integer> lengths;
    private final int iterations;
    private final Consumer<String> say;

    PeersBenchmark(Path work, Path data, Path python, Path script, int threads, int batchSize, List<Integer> lengths,
            int iterations, Consumer<String> say) {
        this.work = work;
        this.data = data;
        this.python = python;
        this.script = script;
        this.threads = threads;
        this.batchSize = batchSize;
        this.lengths = lengths;
        this.iterations = iterations;
        this.say = say;
    }

    record Ours(double inference, double training, double peakRssMb) {
    }

    String run() throws Exception {
        PretrainedEncoders.Pretrained pre = PretrainedEncoders.load("minilm-l6", HeadSpec.sequence(2, Pooling.MEAN),
                0.1, 3);
        TransformerConfig config = pre.config();
        Path folder = work.resolve("minilm-l6-hf");
        Map<Integer, int[][]> batches = new LinkedHashMap<>();
        int[] labels = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            labels[i] = i % 2;
        }
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 512)) {
            HuggingFaceFolder.write(folder, config, pre.weights(), tokenizer.json());
            List<String> sentences = Files.readAllLines(data.resolve("stsa.binary.train"), StandardCharsets.UTF_8)
                    .stream().map(l -> l.substring(2)).toList();
            for (int length : lengths) {
                batches.put(length, fullBatch(tokenizer, sentences, length));
            }
        }
        say.accept("exported " + folder + "; batches of " + batchSize + " at lengths " + lengths + ", " + threads
                + " threads, " + iterations + " timed iterations each");

        Map<Integer, Ours> ours = new LinkedHashMap<>();
        float[][] firstProbabilities = null;
        for (int length : lengths) {
            Batch batch = Batch.of(batches.get(length), 0, 1, length);
            double inference;
            try (TransformerGraph g = TransformerGraph.create(config, pre.weights(), GraphOptions.inference(
                    threads))) {
                float[][] p = g.predict(batch);
                if (firstProbabilities == null) {
                    firstProbabilities = p;
                }
                inference = timed(() -> g.predict(batch), batchSize);
            }
            double training;
            Set<String> all = new java.util.HashSet<>();
            ParamSpec.forConfig(config).forEach(p -> all.add(p.name()));
            try (TransformerGraph g = TransformerGraph.create(config, pre.weights(),
                    GraphOptions.training(all).seed(1).threads(threads).build())) {
                long[] step = {0};
                training = timed(() -> g.trainStep(batch, labels, new UpdateStep(step[0]++, 1e-5, 0.01, 1.0,
                        0.1)), batchSize);
            }
            ours.put(length, new Ours(inference, training, peakRssMb()));
            say.accept(String.format(Locale.ROOT, "ours, length %d: inference %.1f sentences/s, training %.1f "
                    + "examples/s", length, inference, training));
        }

        Map<Integer, Double> ort = new LinkedHashMap<>();
        Path onnx = work.resolve("all-minilm-l6-v2.onnx");
        try (InputStream in = PeersBenchmark.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
            Files.copy(in, onnx, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        try (OrtSession session = env.createSession(onnx.toString(), options)) {
            for (int length : lengths) {
                int[][] ids = batches.get(length);
                long[] flat = new long[batchSize * length];
                long[] ones = new long[flat.length];
                for (int i = 0; i < batchSize; i++) {
                    for (int j = 0; j < length; j++) {
                        flat[i * length + j] = ids[i][j];
                        ones[i * length + j] = 1;
                    }
                }
                long[] shape = {batchSize, length};
                try (OnnxTensor idT = OnnxTensor.createTensor(env, LongBuffer.wrap(flat), shape);
                        OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape);
                        OnnxTensor typeT = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[flat.length]),
                                shape)) {
                    Map<String, OnnxTensor> inputs = Map.of("input_ids", idT, "attention_mask", maskT,
                            "token_type_ids", typeT);
                    ort.put(length, timed(() -> {
                        try (OrtSession.Result r = session.run(inputs)) {
                            return r.size();
                        } catch (ai.onnxruntime.OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    }, batchSize));
                }
                say.accept(String.format(Locale.ROOT, "onnx runtime, length %d: %.1f sentences/s", length, ort.get(
                        length)));
            }
        }

        JsonNode torch = runPython(folder, batches, labels, firstProbabilities);
        return table(config, ours, ort, torch);
    }

    /** Sentences joined until the length is reached, cut to it: a batch without padding. */
    private int[][] fullBatch(Tokenizer tokenizer, List<String> sentences, int length) {
        int[][] out = new int[batchSize][];
        int next = 0;
        for (int i = 0; i < batchSize; i++) {
            StringBuilder text = new StringBuilder();
            int[] ids;
            do {
                text.append(sentences.get(next++ % sentences.size())).append(' ');
                ids = tokenizer.encode(text.toString());
            } while (ids.length < length);
            int[] cut = java.util.Arrays.copyOf(ids, length);
            cut[length - 1] = ids[ids.length - 1]; // keep [SEP] last
            out[i] = cut;
        }
        return out;
    }

    private double timed(java.util.function.Supplier<?> run, int perRun) {
        for (int i = 0; i < 2; i++) {
            run.get();
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            run.get();
        }
        return iterations * (double) perRun / ((System.nanoTime() - start) / 1e9);
    }

    private JsonNode runPython(Path folder, Map<Integer, int[][]> batches, int[] labels, float[][] probabilities)
            throws IOException, InterruptedException {
        ObjectNode spec = JSON.createObjectNode();
        ObjectNode all = spec.putObject("batches");
        boolean first = true;
        for (Map.Entry<Integer, int[][]> e : batches.entrySet()) {
            ObjectNode b = all.putObject(String.valueOf(e.getKey()));
            b.set("ids", JSON.valueToTree(e.getValue()));
            b.set("labels", JSON.valueToTree(labels));
            if (first) {
                b.set("probabilities", JSON.valueToTree(probabilities));
                first = false;
            }
        }
        Path file = work.resolve("batches.json");
        JSON.writeValue(file.toFile(), spec);
        say.accept("running the PyTorch peer (" + python + ")");
        return PythonPeer.run(List.of(python.toString(), script.toString(), "--folder", folder.toString(),
                "--batches", file.toString(), "--threads", String.valueOf(threads), "--iterations", String.valueOf(
                        iterations)),
                "the PyTorch peer");
    }

    /** Multiply-adds of one forward pass over one sequence, times 2 (FLOPs); a training step is about 3 of them. */
    static double forwardFlops(TransformerConfig c, int length) {
        double h = c.hiddenSize();
        double perLayer = length * (4 * h * h + 2 * h * c.intermediateSize()) + 2.0 * length * length * h;
        return 2 * (c.layers() * perLayer + h * c.numLabels());
    }

    private String table(TransformerConfig config, Map<Integer, Ours> ours, Map<Integer, Double> ort, JsonNode torch) {
        StringBuilder md = new StringBuilder();
        JsonNode first = torch.path("lengths").path(String.valueOf(lengths.get(0)));
        md.append(String.format(Locale.ROOT,
                "PyTorch %s, %d threads; batch %d; PyTorch's probabilities on the length-%d "
                        + "batch differ from ours by at most %.2e.%n%n",
                torch.path("torch").asText(), threads, batchSize,
                lengths.get(0), first.path("max_abs_diff_probabilities").asDouble()));
        md.append("| length | inference: ours | ONNX Runtime | PyTorch | ours / ORT | ours / PyTorch | training: ours "
                + "| PyTorch | ours / PyTorch | ours GFLOP/s (inference / training) | PyTorch GFLOP/s |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int length : lengths) {
            Ours o = ours.get(length);
            JsonNode t = torch.path("lengths").path(String.valueOf(length));
            double tInf = t.path("inference_sentences_per_s").asDouble();
            double tTrain = t.path("train_examples_per_s").asDouble();
            double f = forwardFlops(config, length) / 1e9;
            md.append(String.format(Locale.ROOT,
                    "| %d | %.1f/s | %.1f/s | %.1f/s | %.2f | %.2f | %.1f/s | %.1f/s | %.2f | %.1f / %.1f | %.1f / %.1f "
                            + "|%n",
                    length, o.inference(), ort.get(length), tInf, o.inference() / ort.get(length), o
                            .inference() / tInf,
                    o.training(), tTrain, o.training() / tTrain, o.inference() * f,
                    o.training() * 3 * f, tInf * f, tTrain * 3 * f));
        }
        md.append(String.format(Locale.ROOT, "%nPeak resident memory: ours %.0f MB (the JVM process after training), "
                + "PyTorch %.0f MB (its process).%n", ours.get(lengths.get(lengths.size() - 1)).peakRssMb(),
                torch
                        .path("peak_rss_mb").asDouble()));
        return md.toString();
    }

    /** The process's peak resident memory so far (Linux), in MB. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Double.NaN;
    }

    static List<Integer> parseLengths(String s) {
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            out.add(Integer.parseInt(part.trim()));
        }
        return out;
    }
}
