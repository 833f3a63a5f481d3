package io.finetide.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.finetide.bench.LabelledSets.Dataset;
import io.finetide.model.train.LabelledText;

/**
 * A long-text set: which of Jane Austen's six novels a passage comes from. The texts are those of the R package
 * janeaustenr (Project Gutenberg's, public domain) as Debian's {@code r-cran-janeaustenr} ships them, fetched by
 * {@code ./finetide bench long-text}. Each chapter is cut into passages of a fixed number of words (the last kept when
 * at least half as long); whole chapters go to one split (every tenth from the fourth to test, every tenth from the
 * eighth to validation, the rest to training), so no test passage shares a chapter with a training one.
 */
final class AustenPassages {

    /** Where {@code ./finetide} unpacks the Debian package, under the project root. */
    static final Path RDB = Path.of(".tools/janeaustenr/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb");

    private static final Pattern CHAPTER = Pattern.compile("^(CHAPTER|Chapter) [0-9IVXLC]+\\.?$");

    private AustenPassages() {
    }

    static Dataset load(Path rdb, int passageWords) {
        List<List<String>> novels = RDataStrings.read(rdb);
        List<String> labels = novels.stream().map(n -> n.get(0).strip().toLowerCase(Locale.ROOT).replace(' ', '-'))
                .toList();
        List<String> expected = List.of("emma", "mansfield-park", "northanger-abbey", "persuasion",
                "pride-and-prejudice", "sense-and-sensibility");
        if (!labels.equals(expected)) {
            throw new IllegalArgumentException(rdb + " holds " + labels + ", not the six novels " + expected);
        }
        List<LabelledText> train = new ArrayList<>();
        List<LabelledText> validation = new ArrayList<>();
        List<LabelledText> test = new ArrayList<>();
        for (int label = 0; label < novels.size(); label++) {
            List<List<String>> chapters = chapters(novels.get(label));
            for (int c = 0; c < chapters.size(); c++) {
                List<LabelledText> into = c % 10 == 3 ? test : c % 10 == 7 ? validation : train;
                for (String passage : passages(chapters.get(c), passageWords)) {
                    into.add(new LabelledText(passage, label));
                }
            }
        }
        return new Dataset("austen", labels, train, validation, test, "");
    }

    /** Each chapter's words, from its heading to the next; what precedes the first heading is the title page. */
    static List<List<String>> chapters(List<String> lines) {
        List<List<String>> chapters = new ArrayList<>();
        List<String> current = null;
        for (String line : lines) {
            String l = line.strip();
            if (CHAPTER.matcher(l).matches()) {
                current = new ArrayList<>();
                chapters.add(current);
            } else if (current != null && !l.isEmpty() && !l.startsWith("VOLUME ")) {
                current.addAll(Arrays.asList(l.split("\\s+")));
            }
        }
        return chapters;
    }

    static List<String> passages(List<String> words, int size) {
        List<String> out = new ArrayList<>();
        for (int start = 0; start < words.size(); start += size) {
            List<String> part = words.subList(start, Math.min(words.size(), start + size));
            if (part.size() * 2 >= size) {
                out.add(String.join(" ", part));
            }
        }
        return out;
    }
}
