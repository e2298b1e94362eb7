package io.asynctrace.testing;

import io.asynctrace.reader.TraceModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The committed golden traces, one per format version, read forever: resources
 * {@code /golden/v<version>.trace} of trace-core's test-jar. Their content is described
 * in trace-core's {@code FormatTest}.
 */
public final class Golden {
    private Golden() {
    }

    /** The classpath resource of a version's golden file. */
    public static String resource(int version) {
        return "/golden/v" + version + ".trace";
    }

    /** The bytes of the golden file of format {@code version}; fails if there is none. */
    public static byte[] bytes(int version) {
        try (InputStream in = Golden.class.getResourceAsStream(resource(version))) {
            if (in == null) {
                throw new AssertionError(resource(version) + " is not on the test classpath"
                        + " (a test-jar dependency on trace-core is needed)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The golden file of format version 1. */
    public static byte[] v1() {
        return bytes(1);
    }

    /** The golden file of {@code version}, read. */
    public static TraceModel model(int version) {
        return TraceModels.read(bytes(version));
    }

    /** Writes the golden file of {@code version} into {@code dir} as {@code v<version>.trace}; returns its path. */
    public static Path copyTo(Path dir, int version) {
        Path file = dir.resolve("v" + version + ".trace");
        try {
            Files.write(file, bytes(version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Every version with a golden file, oldest first (1, 2, ... up to the first missing one). */
    public static List<Integer> versions() {
        List<Integer> versions = new ArrayList<>();
        for (int v = 1; Golden.class.getResource(resource(v)) != null; v++) {
            versions.add(v);
        }
        return versions;
    }
}
