package io.finetide.model.infer;

import java.util.ArrayList;
import java.util.List;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.TransformerGraph;

/**
 * Greedy decoding with an encoder-decoder: the decoder starts from {@code decoderStart} and takes its most likely next
 * token until every row has emitted {@code eos} or reached {@code maxTokens}. Each step reruns the whole graph on the
 * prefix (no key/value cache): quadratic in the output length, which suits short outputs (labels, spans, fields).
 */
public final class Seq2Seq {

    private Seq2Seq() {
    }

    /** The decoder's input under teacher forcing: the start id, then the target without its last token. */
    public static int[] decoderInput(int[] target, int decoderStart) {
        int[] out = new int[target.length];
        out[0] = decoderStart;
        System.arraycopy(target, 0, out, 1, target.length - 1);
        return out;
    }

    /** The generated tokens of each source, without the start id, up to and including {@code eos}. */
    public static int[][] generate(TransformerGraph graph, int[][] sources, int padId, int decoderStart, int eos,
            int maxTokens) {
        if (!graph.config().encoderDecoder()) {
            throw new IllegalArgumentException("generation needs an encoder-decoder");
        }
        int maxLength = graph.config().maxPositions();
        Batch source = Batch.of(sources, padId, 1, maxLength);
        List<List<Integer>> out = new ArrayList<>();
        boolean[] done = new boolean[sources.length];
        for (int i = 0; i < sources.length; i++) {
            out.add(new ArrayList<>());
        }
        for (int step = 0; step < Math.min(maxTokens, maxLength); step++) {
            int[][] prefixes = new int[sources.length][step + 1];
            for (int i = 0; i < sources.length; i++) {
                prefixes[i][0] = decoderStart;
                for (int t = 0; t < step; t++) {
                    // A finished row keeps decoding padding; its output is cut at eos below.
                    prefixes[i][t + 1] = t < out.get(i).size() ? out.get(i).get(t) : padId;
                }
            }
            float[][][] p = graph.predictTokens(source.withDecoder(Batch.of(prefixes, padId, 1, maxLength)));
            boolean all = true;
            for (int i = 0; i < sources.length; i++) {
                if (!done[i]) {
                    int next = Predictor.argMax(p[i][step]);
                    out.get(i).add(next);
                    done[i] = next == eos;
                }
                all &= done[i];
            }
            if (all) {
                break;
            }
        }
        return out.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }
}
