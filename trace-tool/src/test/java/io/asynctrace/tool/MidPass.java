package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Leaves a {@link TimelineIndex} as the view serves it while its pass runs: built as
 * {@link ViewData} builds it (scout first, the lock held and released at each segment),
 * stopped where the n-th segment starts. From a review of d1c91e9.
 */
final class MidPass {
    private MidPass() {
    }

    /** Stops a pass at the n-th segment start. */
    static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("stopped", null, false, false);
        }
    }

    /** Builds {@code index} from {@code file} up to segment {@code n}, then lets go of its lock. */
    static void build(Path file, TimelineIndex index, int n) throws Exception {
        long size = Files.size(file);
        index.lock.lock();
        index.scout(file, size, TailSegments.find(file, size, 3));
        try {
            Scan.read(file, stopAt(index, n), null, index::reading);
        } catch (Stop expected) {
            // the pass is "at" segment n
        }
        while (index.lock.isHeldByCurrentThread()) {
            index.lock.unlock();
        }
    }

    private static TraceHandler stopAt(TimelineIndex index, int n) {
        int[] seen = {0};
        return (TraceHandler) java.lang.reflect.Proxy.newProxyInstance(TraceHandler.class.getClassLoader(),
                new Class<?>[] {TraceHandler.class}, (p, m, a) -> {
                    if (m.getName().equals("onSegment") && ++seen[0] == n) {
                        throw new Stop();
                    }
                    try {
                        return m.invoke(index, a);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
