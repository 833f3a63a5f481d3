package io.finetide.model.pretrained;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** A Hugging Face folder sent as one zip archive: the files reading needs, unpacked in memory, with a size bound. */
public final class FolderArchive {

    /** The files of a folder that reading needs; the other files of a Hugging Face folder are left out. */
    public static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");
    /** Beyond this a zipped folder is refused: the largest base a CPU fine-tunes is far smaller. */
    public static final long MAX_UNZIPPED_BYTES = 2L << 30;

    private FolderArchive() {
    }

    /** One file of a zipped folder ({@link #FILES}), as {@link #unzip} checks it. */
    public static byte[] file(byte[] zip, String name) {
        try {
            byte[] f = unzip(zip).get(name);
            if (f == null) {
                throw new IllegalArgumentException("the archive has no " + name);
            }
            return f;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        long total = 0;
        Map<String, byte[]> seen = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(
                zip))) {
            ZipEntry e;
            boolean any = false;
            while ((e = in.getNextEntry()) != null) {
                any = true;
                String file = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                if (e.isDirectory() || !FILES.contains(file) || e.getName().chars().filter(c -> c == '/').count() > 1) {
                    continue;
                }
                if (seen.containsKey(file)) {
                    throw new IllegalArgumentException("the archive holds " + file + " twice");
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > MAX_UNZIPPED_BYTES) {
                        throw new IllegalArgumentException("the archive unpacks to more than "
                                + (MAX_UNZIPPED_BYTES >> 20) + " MB");
                    }
                    out.write(buf, 0, n);
                }
                seen.put(file, out.toByteArray());
            }
            if (!any) {
                throw new IllegalArgumentException("not a zip archive (or an empty one)");
            }
        } catch (ZipException e) {
            throw new IllegalArgumentException("not a readable zip archive: " + e.getMessage());
        }
        for (String f : FILES) {
            if (!seen.containsKey(f)) {
                throw new IllegalArgumentException("the archive has no " + f + " (at its top or in one folder)");
            }
        }
        return seen;
    }

    /** A zip of {@link #FILES} of {@code dir}, at the archive's top. */
    public static byte[] zip(Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (String f : FILES) {
                out.putNextEntry(new ZipEntry(f));
                Files.copy(dir.resolve(f), out);
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot zip " + dir, e);
        }
        return bytes.toByteArray();
    }
}
