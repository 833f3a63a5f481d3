package io.finetide.model.infer;

import java.util.List;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.metrics.TemperatureScaling;
import io.finetide.model.stats.Softmax;
import io.finetide.model.tokenizer.Tokenizer;

/**
 * The classes of a text-to-text classifier (an encoder-decoder trained to write its label's words): each label's
 * target tokens, ending with the end-of-sequence id. A text's class probabilities are the likelihoods of the labels'
 * targets given the text, renormalised over the labels (rank classification): the model scores every class rather
 * than writing free text, so serving, the gate and calibration read it as they read any classifier.
 *
 * @param targets      per label, the tokens the decoder writes for it, the end-of-sequence id last
 * @param decoderStart the id the decoder reads first
 */
public record LabelWords(int[][] targets, int decoderStart, int padId) {

    /** Rows of sources times labels run together; an encoder-decoder's batch is cheap at this size. */
    private static final int ROWS_PER_RUN = 64;

    public LabelWords {
        if (targets.length < 2) {
            throw new IllegalArgumentException("a classifier needs at least two labels");
        }
        for (int[] t : targets) {
            if (t.length < 1) {
                throw new IllegalArgumentException("every label needs a target");
            }
        }
    }

    /** The labels' words, tokenised without special tokens, each followed by {@code endOfText}. */
    public static LabelWords of(Tokenizer tokenizer, List<String> labels, int endOfText, int decoderStart) {
        int[][] targets = new int[labels.size()][];
        for (int k = 0; k < labels.size(); k++) {
            targets[k] = tokenizer.encodeTarget(words(labels.get(k)), endOfText);
            if (targets[k].length == 1) {
                throw new IllegalArgumentException("label '" + labels.get(k) + "' has no tokens to write");
            }
        }
        for (int a = 0; a < targets.length; a++) {
            for (int b = a + 1; b < targets.length; b++) {
                if (java.util.Arrays.equals(targets[a], targets[b])) {
                    throw new IllegalArgumentException("labels '" + labels.get(a) + "' and '" + labels.get(b)
                            + "' are written with the same tokens");
                }
            }
        }
        return new LabelWords(targets, decoderStart, tokenizer.padId());
    }

    /** A label as words: {@code not_spam} and {@code not-spam} are written "not spam". */
    static String words(String label) {
        return label.replace('_', ' ').replace('-', ' ').trim();
    }

    public int labels() {
        return targets.length;
    }

    /** The decoder's input under teacher forcing for label {@code k}: the start id, then its target but the last. */
    public int[] decoderInput(int k) {
        return Seq2Seq.decoderInput(targets[k], decoderStart);
    }

    /** Per source, the probability of each label: its target's likelihood over the sum of all labels'. */
    public float[][] probabilities(TransformerGraph graph, int[][] sources, int maxLength) {
        if (!graph.config().encoderDecoder() || !graph.config().languageModel()) {
            throw new IllegalArgumentException("label words are written by an encoder-decoder's language model");
        }
        int k = targets.length;
        float[][] out = new float[sources.length][];
        int perRun = Math.max(1, ROWS_PER_RUN / k);
        for (int start = 0; start < sources.length; start += perRun) {
            int end = Math.min(sources.length, start + perRun);
            int[][] src = new int[(end - start) * k][];
            int[][] dec = new int[(end - start) * k][];
            for (int i = start; i < end; i++) {
                for (int c = 0; c < k; c++) {
                    src[(i - start) * k + c] = sources[i];
                    dec[(i - start) * k + c] = decoderInput(c);
                }
            }
            Batch decoder = Batch.of(dec, padId, 1, maxLength);
            float[][] logits = graph.logits(Batch.of(src, padId, 1, maxLength).withDecoder(decoder));
            int time = decoder.outputLength();
            for (int i = start; i < end; i++) {
                double[] logLikelihood = new double[k];
                for (int c = 0; c < k; c++) {
                    int row = (i - start) * k + c;
                    for (int t = 0; t < targets[c].length; t++) {
                        logLikelihood[c] += Softmax.logProbability(logits[row * time + t], targets[c][t]);
                    }
                }
                out[i] = normalised(logLikelihood);
            }
        }
        return out;
    }

    /** The labels' likelihoods renormalised: the softmax of their logs. */
    private static float[] normalised(double[] logLikelihood) {
        double[] p = TemperatureScaling.probabilities(logLikelihood, 1.0);
        float[] out = new float[p.length];
        for (int c = 0; c < p.length; c++) {
            out[c] = (float) p[c];
        }
        return out;
    }
}
