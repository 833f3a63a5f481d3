package io.finetide.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;

import io.finetide.platform.datasets.SnapshotFile;

class SnapshotFileTest {

    @Test
    void aPairRowWritesItsSecondTextAndASingleTextRowIsWrittenAsBefore() {
        List<SnapshotFile.Row> rows = List.of(new SnapshotFile.Row("f", "a single text", "yes", "TRAIN"),
                SnapshotFile.Row.pair("a", "is it open", "open nine to five", "yes", "TRAIN"));
        assertThat(SnapshotFile.read(SnapshotFile.write(rows))).isEqualTo(rows.stream().sorted(Comparator.comparing(
                SnapshotFile.Row::id)).toList());
        assertThat(new String(gunzip(SnapshotFile.write(rows)), StandardCharsets.UTF_8)).isEqualTo("""
                {"id":"a","text":"is it open","textPair":"open nine to five","label":"yes","split":"TRAIN"}
                {"id":"f","text":"a single text","label":"yes","split":"TRAIN"}
                """);
    }

    private static byte[] gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
