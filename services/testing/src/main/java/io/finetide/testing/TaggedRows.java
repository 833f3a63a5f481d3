package io.finetide.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.finetide.platform.datasets.SnapshotFile;

/**
 * A small tagging set for the services' tests: sentences of filler words with fruits and vehicles, tagged with BIO
 * tags of the types {@code fruit} and {@code vehicle}; "sweet" before a fruit is part of it (B-, then I-), so both tag
 * kinds occur. Rows are split 80/10/10 by position.
 */
public final class TaggedRows {

    public static final List<String> TYPES = List.of("fruit", "vehicle");
    static final String[] FRUIT = {"apple", "banana", "cherry", "grape", "lemon", "mango"};
    static final String[] VEHICLE = {"car", "truck", "bus", "train", "boat", "plane"};
    static final String[] FILLER = {"the", "a", "my", "old", "new", "is", "was", "here", "today", "and"};

    private TaggedRows() {
    }

    public static List<SnapshotFile.Row> rows(String prefix, int n, long seed) {
        Random r = new Random(seed);
        List<SnapshotFile.Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> words = new ArrayList<>();
            List<String> tags = new ArrayList<>();
            for (int w = 0, len = 3 + r.nextInt(4); w < len; w++) {
                int kind = r.nextInt(4);
                if (kind == 0) {
                    if (r.nextBoolean()) {
                        words.add("sweet");
                        tags.add("B-fruit");
                        words.add(FRUIT[r.nextInt(FRUIT.length)]);
                        tags.add("I-fruit");
                    } else {
                        words.add(FRUIT[r.nextInt(FRUIT.length)]);
                        tags.add("B-fruit");
                    }
                } else if (kind == 1) {
                    words.add(VEHICLE[r.nextInt(VEHICLE.length)]);
                    tags.add("B-vehicle");
                } else {
                    words.add(FILLER[r.nextInt(FILLER.length)]);
                    tags.add("O");
                }
            }
            String split = i % 10 == 0 ? "VALIDATION" : i % 10 == 1 ? "TEST" : "TRAIN";
            out.add(new SnapshotFile.Row(prefix + i, String.join(" ", words), "", split, "", words, tags));
        }
        return out;
    }
}
