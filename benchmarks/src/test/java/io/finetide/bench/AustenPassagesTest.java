package io.finetide.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AustenPassagesTest {

    /** One object as R writes it into a lazy-load file: XDR format 3, UTF-8, a character vector (null: NA). */
    private static byte[] block(int type, String... strings) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(raw);
        out.writeBytes("X\n");
        out.writeInt(3);
        out.writeInt(0x040201);
        out.writeInt(0x030500);
        out.writeInt(5);
        out.writeBytes("UTF-8");
        out.writeInt(type);
        out.writeInt(strings.length);
        for (String s : strings) {
            out.writeInt(0x00040009);
            byte[] b = s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(s == null ? -1 : b.length);
            out.write(b);
        }
        byte[] serialised = raw.toByteArray();
        Deflater deflater = new Deflater();
        deflater.setInput(serialised);
        deflater.finish();
        byte[] packed = new byte[serialised.length + 64];
        int n = deflater.deflate(packed);
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        new DataOutputStream(block).writeInt(serialised.length);
        block.write(packed, 0, n);
        return block.toByteArray();
    }

    @Test
    void readsEveryCharacterVectorOfALazyLoadFileInOrder(@TempDir Path dir) throws IOException {
        Path rdb = dir.resolve("Rdata.rdb");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(block(16, "EMMA", "", null, "Mr. Knightley\u2019s"));
        file.write(block(16, "Persuasion"));
        Files.write(rdb, file.toByteArray());
        assertThat(RDataStrings.read(rdb)).containsExactly(List.of("EMMA", "", "", "Mr. Knightley\u2019s"), List.of(
                "Persuasion"));
    }

    @Test
    void refusesAnObjectThatIsNotACharacterVector(@TempDir Path dir) throws IOException {
        Path rdb = dir.resolve("Rdata.rdb");
        Files.write(rdb, block(13));
        assertThatThrownBy(() -> RDataStrings.read(rdb)).hasMessageContaining("R type 13, not a character vector");
    }

    @Test
    void chaptersStartAtTheirHeadingsAndPassagesKeepHalfALastOne() {
        List<List<String>> chapters = AustenPassages.chapters(List.of("EMMA", "", "By Jane Austen", "VOLUME I",
                "CHAPTER I", "", "one two three", "four five", "", "VOLUME II", "Chapter 2", "six seven"));
        assertThat(chapters).containsExactly(List.of("one", "two", "three", "four", "five"), List.of("six",
                "seven"));
        assertThat(AustenPassages.passages(chapters.get(0), 2)).containsExactly("one two", "three four", "five");
        assertThat(AustenPassages.passages(chapters.get(0), 3)).containsExactly("one two three", "four five");
        assertThat(AustenPassages.passages(chapters.get(0), 4)).containsExactly("one two three four");
    }
}
