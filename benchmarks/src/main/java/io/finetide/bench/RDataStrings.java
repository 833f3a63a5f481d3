package io.finetide.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The character vectors of an R package's lazy-load data file ({@code data/Rdata.rdb}), read without R: the file is a
 * run of blocks, each a 4-byte big-endian length and a zlib stream of one object in R's XDR serialisation (format 2 or
 * 3). Only character vectors are read; anything else in the file is refused, naming its type.
 */
final class RDataStrings {

    private static final int STRSXP = 16;
    private static final int CHARSXP = 9;

    private RDataStrings() {
    }

    /** Every object of the file, in file order, each a character vector's elements (NA as the empty string). */
    static List<List<String>> read(Path rdb) {
        byte[] file;
        try {
            file = Files.readAllBytes(rdb);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + rdb, e);
        }
        List<List<String>> objects = new ArrayList<>();
        int position = 0;
        while (position < file.length) {
            int length = ByteBuffer.wrap(file, position, 4).getInt();
            Inflater inflater = new Inflater();
            inflater.setInput(file, position + 4, file.length - position - 4);
            ByteArrayOutputStream out = new ByteArrayOutputStream(length);
            byte[] chunk = new byte[1 << 16];
            try {
                while (!inflater.finished()) {
                    int n = inflater.inflate(chunk);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw new IllegalArgumentException(rdb + ": block at " + position + " ends early");
                    }
                    out.write(chunk, 0, n);
                }
            } catch (DataFormatException e) {
                throw new IllegalArgumentException(rdb + ": block at " + position + " is not zlib data", e);
            }
            position = file.length - inflater.getRemaining();
            inflater.end();
            if (out.size() != length) {
                throw new IllegalArgumentException(
                        rdb + ": a block holds " + out.size() + " bytes, declares " + length);
            }
            objects.add(strings(ByteBuffer.wrap(out.toByteArray()), rdb));
        }
        return objects;
    }

    private static List<String> strings(ByteBuffer in, Path rdb) {
        if (in.get() != 'X' || in.get() != '\n') {
            throw new IllegalArgumentException(rdb + ": not R's XDR serialisation");
        }
        int version = in.getInt();
        in.getInt(); // the writer's R version
        in.getInt(); // the oldest R that reads it
        if (version == 3) {
            int name = in.getInt(); // the native encoding's name, skipped
            in.position(in.position() + name);
        }
        int type = in.getInt() & 0xFF;
        if (type != STRSXP) {
            throw new IllegalArgumentException(rdb + ": an object of R type " + type + ", not a character vector");
        }
        int n = in.getInt();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if ((in.getInt() & 0xFF) != CHARSXP) {
                throw new IllegalArgumentException(rdb + ": element " + i + " is not a string");
            }
            int bytes = in.getInt();
            if (bytes < 0) {
                out.add("");
                continue;
            }
            out.add(new String(in.array(), in.position(), bytes, StandardCharsets.UTF_8));
            in.position(in.position() + bytes);
        }
        return out;
    }
}
