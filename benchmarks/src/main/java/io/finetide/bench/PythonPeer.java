package io.finetide.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A reference peer run in the benchmarks' own virtual environment: a Python script that logs to standard error and
 * prints its result as one JSON object on its last line of standard output.
 */
final class PythonPeer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PythonPeer() {
    }

    /** Runs {@code command} and reads the JSON object on the last line it printed; {@code what} names it in errors. */
    static JsonNode run(List<String> command, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(what + " failed (exit " + p.exitValue() + ")");
        }
        String text = new String(out, StandardCharsets.UTF_8).strip();
        return JSON.readTree(text.substring(text.lastIndexOf('\n') + 1));
    }
}
