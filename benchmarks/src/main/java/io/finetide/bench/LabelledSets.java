package io.finetide.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import io.finetide.model.train.LabelledText;
import io.finetide.model.train.TaggedWords;

/**
 * The public labelled sets under {@code ../shared/datasets}, read and split the same way for every benchmark: the
 * published test split where there is one (SST-2's GLUE dev, TREC's 500 questions), a seeded stratified 80/10/10
 * split for SMS spam (which has none), CoNLL columns for WNUT-17.
 */
final class LabelledSets {

    record Dataset(String name, List<String> labels, List<LabelledText> train, List<LabelledText> validation,
            List<LabelledText> test, String bar) {
    }

    private final Path datasets;

    LabelledSets(Path datasets) {
        this.datasets = datasets;
    }

    /** One of sst2, trec and sms-spam. */
    Dataset load(String name) {
        return switch (name) {
            case "sst2" -> sst2();
            case "trec" -> trec();
            case "sms-spam" -> sms();
            default -> throw new IllegalArgumentException("unknown dataset '" + name + "' (sst2, trec, sms-spam)");
        };
    }

    /** GLUE SST-2: train.tsv (phrases) to train, 1,000 of dev.tsv to validate, test.tsv (GLUE dev) to test. */
    private Dataset sst2() {
        Path dir = datasets.resolve("sst2");
        List<String> labels = List.of("0", "1");
        return new Dataset("sst2", labels, tsv(dir.resolve("train.tsv")), cap(tsv(dir.resolve("dev.tsv")), 1000, 5),
                tsv(dir.resolve("test.tsv")), "accuracy >= 0.88");
    }

    private List<LabelledText> tsv(Path file) {
        List<LabelledText> out = new ArrayList<>();
        List<String> lines = lines(file, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            int tab = line.lastIndexOf('\t');
            out.add(new LabelledText(line.substring(0, tab).strip(), Integer.parseInt(line.substring(tab + 1)
                    .strip())));
        }
        return out;
    }

    /** TREC-6 coarse labels; one question in ten of TREC.train (seeded) validates, TREC.test (500) tests. */
    private Dataset trec() {
        Path dir = datasets.resolve("trec");
        // TREC.train holds one Latin-1 byte: read both files as Latin-1 (the rest is ASCII).
        List<String[]> train = trecLines(dir.resolve("TREC.train"));
        List<String[]> test = trecLines(dir.resolve("TREC.test"));
        List<String> labels = new ArrayList<>(new TreeSet<>(train.stream().map(l -> l[0]).toList()));
        List<LabelledText> all = train.stream().map(l -> new LabelledText(l[1], labels.indexOf(l[0]))).toList();
        List<List<LabelledText>> split = stratified(all, labels.size(), new double[]{0.9, 0.1}, 11);
        return new Dataset("trec", labels, split.get(0), split.get(1), test.stream().map(l -> new LabelledText(l[1],
                labels.indexOf(l[0]))).toList(), "accuracy >= 0.94");
    }

    private List<String[]> trecLines(Path file) {
        List<String[]> out = new ArrayList<>();
        for (String line : lines(file, StandardCharsets.ISO_8859_1)) {
            if (line.isBlank()) {
                continue;
            }
            int space = line.indexOf(' ');
            out.add(new String[]{line.substring(0, line.indexOf(':')), line.substring(space + 1).strip()});
        }
        return out;
    }

    /** The UCI SMS Spam Collection has no split: a seeded split stratified by label, 80/10/10. */
    private Dataset sms() {
        List<String> labels = List.of("ham", "spam");
        List<LabelledText> all = new ArrayList<>();
        for (String line : lines(datasets.resolve("sms-spam/SMSSpamCollection"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            int tab = line.indexOf('\t');
            all.add(new LabelledText(line.substring(tab + 1), labels.indexOf(line.substring(0, tab))));
        }
        List<List<LabelledText>> split = stratified(all, 2, new double[]{0.8, 0.1, 0.1}, 13);
        return new Dataset("sms-spam", labels, split.get(0), split.get(1), split.get(2), "spam F1 >= 0.95");
    }

    static List<List<LabelledText>> stratified(List<LabelledText> all, int numLabels, double[] shares, long seed) {
        List<List<LabelledText>> parts = new ArrayList<>();
        for (int i = 0; i < shares.length; i++) {
            parts.add(new ArrayList<>());
        }
        for (int label = 0; label < numLabels; label++) {
            int l = label;
            List<LabelledText> of = new ArrayList<>(all.stream().filter(t -> t.label() == l).toList());
            Collections.shuffle(of, new Random(seed + label));
            int start = 0;
            double cumulative = 0;
            for (int i = 0; i < shares.length; i++) {
                cumulative += shares[i];
                int end = i == shares.length - 1 ? of.size() : (int) Math.round(cumulative * of.size());
                parts.get(i).addAll(of.subList(start, end));
                start = end;
            }
        }
        for (List<LabelledText> p : parts) {
            Collections.shuffle(p, new Random(seed));
        }
        return parts;
    }

    /** A seeded sample of at most {@code n}, in a shuffled order (so halves are alike). */
    static List<LabelledText> cap(List<LabelledText> all, int n, long seed) {
        List<LabelledText> copy = new ArrayList<>(all);
        Collections.shuffle(copy, new Random(seed));
        return n > 0 && n < copy.size() ? List.copyOf(copy.subList(0, n)) : List.copyOf(copy);
    }

    private static List<String> lines(Path file, Charset charset) {
        try {
            return Files.readAllLines(file, charset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** CoNLL columns: a word and its tag per line, a blank line between sentences. */
    static List<List<String[]>> conll(Path file) {
        List<List<String[]>> out = new ArrayList<>();
        List<String[]> current = new ArrayList<>();
        for (String line : lines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    out.add(current);
                    current = new ArrayList<>();
                }
                continue;
            }
            String[] cols = line.split("\t");
            current.add(new String[]{cols[0], cols[cols.length - 1].strip()});
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    static List<TaggedWords> tagged(List<List<String[]>> sentences, List<String> tags) {
        return sentences.stream().map(s -> new TaggedWords(s.stream().map(w -> w[0]).toList(), s.stream().mapToInt(
                w -> {
                    int i = tags.indexOf(w[1]);
                    if (i < 0) {
                        throw new IllegalArgumentException("unknown tag " + w[1]);
                    }
                    return i;
                }).toArray())).toList();
    }
}
