package io.asynctrace.junit5;

import io.asynctrace.FlightRecorder;
import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceHeader;
import io.asynctrace.reader.TraceReader;
import io.asynctrace.reader.TraceWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cuts one task tree out of a trace: the root task, every task created under it at
 * any depth, and the spans, logs, attributes, jobs and misuse of those tasks, with
 * the thread names of the events kept. Two passes, because an end may precede its
 * begin in the file: the first learns the tree, the second copies its events
 * through a {@link TraceWriter}.
 *
 * <p>The drop count of the result is the sum over the segments that overlap the
 * root task's life (from the first segment with an event at or after its begin):
 * the recorder's drops are not attributed to tasks, so these are the ones that
 * may concern the tree.
 */
final class ClassTrace {
    private ClassTrace() {
    }

    /**
     * Writes a snapshot of {@code flight}, cut down to the tree of {@code root}, to
     * {@code target} (through temporary files in its directory, replacing it).
     */
    static void write(FlightRecorder flight, long root, Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String name = "." + target.getFileName();
        Path snapshot = Files.createTempFile(dir, name, ".flight");
        Path part = Files.createTempFile(dir, name, ".part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(snapshot), 1 << 16)) {
                flight.writeTo(out);
            }
            try (InputStream in = Files.newInputStream(snapshot);
                 OutputStream out = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
                filter(in, () -> Files.newInputStream(snapshot), root, out);
            }
            try {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(snapshot);
            Files.deleteIfExists(part);
        }
    }

    /** Opens the source trace again for the second pass. */
    interface Source {
        InputStream open() throws IOException;
    }

    /**
     * Writes the tree of {@code root} from a trace read twice ({@code first}, then
     * {@code again.open()}) to {@code out}, which is closed.
     */
    static void filter(InputStream first, Source again, long root, OutputStream out) throws IOException {
        Tree tree = new Tree(root);
        try (TraceReader reader = new TraceReader(first)) {
            reader.read(tree);
        }
        tree.close();
        try (TraceReader reader = new TraceReader(again.open()); TraceWriter writer = new TraceWriter(out)) {
            writer.addDropped(tree.dropped);
            reader.read(new Keep(tree, writer));
        }
    }

    /** First pass: which tasks, spans and jobs belong to the tree, and the drops that may concern it. */
    static final class Tree implements TraceHandler {
        private final long root;
        private final Map<Long, List<Long>> children = new HashMap<>();
        private final Map<Long, Long> spanTask = new HashMap<>();
        private final Map<Long, Long> jobTask = new HashMap<>();
        private final List<long[]> segments = new ArrayList<>(); // {dropped, latest event time so far}
        private long latest = Long.MIN_VALUE;
        private long rootBegin = Long.MAX_VALUE;
        final Set<Long> tasks = new HashSet<>();
        final Set<Long> spans = new HashSet<>();
        final Set<Long> jobs = new HashSet<>();
        long dropped;

        Tree(long root) {
            this.root = root;
        }

        private void saw(long time) {
            if (time > latest) {
                latest = time;
            }
        }

        @Override
        public void onSegment(long sequence, long offset, long dropped) {
            endSegment();
            segments.add(new long[] {dropped, Long.MIN_VALUE});
        }

        private void endSegment() {
            if (!segments.isEmpty()) {
                segments.get(segments.size() - 1)[1] = latest;
            }
        }

        @Override
        public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
            saw(time);
            if (task == root) {
                rootBegin = Math.min(rootBegin, time);
            }
            if (parent != 0) {
                children.computeIfAbsent(parent, p -> new ArrayList<>(2)).add(task);
            }
        }

        @Override
        public void onTaskEnd(long time, long thread, long task, String outcome) {
            saw(time);
        }

        @Override
        public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
            saw(time);
            if (task != 0) {
                spanTask.put(span, task);
            }
        }

        @Override
        public void onSpanEnd(long time, long thread, long span) {
            saw(time);
        }

        @Override
        public void onLog(long time, long thread, long task, String category, String message) {
            saw(time);
        }

        @Override
        public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
            saw(time);
        }

        @Override
        public void onJobQueued(long time, long thread, long job, long task) {
            saw(time);
            if (task != 0) {
                jobTask.put(job, task);
            }
        }

        @Override
        public void onJobStarted(long time, long thread, long job) {
            saw(time);
        }

        @Override
        public void onJobFinished(long time, long thread, long job) {
            saw(time);
        }

        @Override
        public void onMisuse(long time, long thread, Misuse kind, long id) {
            saw(time);
        }

        /** Resolves the tree once the whole trace is read. */
        void close() {
            endSegment();
            ArrayDeque<Long> pending = new ArrayDeque<>();
            pending.add(root);
            while (!pending.isEmpty()) {
                Long t = pending.poll();
                if (tasks.add(t)) {
                    pending.addAll(children.getOrDefault(t, List.of()));
                }
            }
            spanTask.forEach((span, task) -> {
                if (tasks.contains(task)) {
                    spans.add(span);
                }
            });
            jobTask.forEach((job, task) -> {
                if (tasks.contains(task)) {
                    jobs.add(job);
                }
            });
            for (long[] s : segments) {
                if (s[1] >= rootBegin) {
                    dropped += s[0];
                }
            }
        }
    }

    /** Second pass: the tree's events, to a writer. */
    static final class Keep implements TraceHandler {
        private final Tree tree;
        private final TraceWriter out;

        Keep(Tree tree, TraceWriter out) {
            this.tree = tree;
            this.out = out;
        }

        @Override
        public void onHeader(TraceHeader header) {
            out.onHeader(header);
        }

        @Override
        public void onThread(long thread, String name) {
            out.onThread(thread, name);
        }

        @Override
        public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
            if (tree.tasks.contains(task)) {
                out.onTaskBegin(time, thread, task, tree.tasks.contains(parent) ? parent : 0, type, earlier);
            }
        }

        @Override
        public void onTaskEnd(long time, long thread, long task, String outcome) {
            if (tree.tasks.contains(task)) {
                out.onTaskEnd(time, thread, task, outcome);
            }
        }

        @Override
        public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
            if (tree.spans.contains(span)) {
                out.onSpanBegin(time, thread, span, tree.spans.contains(parent) ? parent : 0, task, name);
            }
        }

        @Override
        public void onSpanEnd(long time, long thread, long span) {
            if (tree.spans.contains(span)) {
                out.onSpanEnd(time, thread, span);
            }
        }

        @Override
        public void onLog(long time, long thread, long task, String category, String message) {
            if (task != 0 && tree.tasks.contains(task)) {
                out.onLog(time, thread, task, category, message);
            }
        }

        @Override
        public void onLogCut(long time, long thread, long task, String category, String message, long originalChars) {
            if (task != 0 && tree.tasks.contains(task)) {
                out.onLogCut(time, thread, task, category, message, originalChars);
            }
        }

        @Override
        public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
            if (onSpan ? tree.spans.contains(target) : tree.tasks.contains(target)) {
                out.onAttribute(time, thread, target, onSpan, key, value);
            }
        }

        @Override
        public void onJobQueued(long time, long thread, long job, long task) {
            if (tree.jobs.contains(job)) {
                out.onJobQueued(time, thread, job, task);
            }
        }

        @Override
        public void onJobStarted(long time, long thread, long job) {
            if (tree.jobs.contains(job)) {
                out.onJobStarted(time, thread, job);
            }
        }

        @Override
        public void onJobFinished(long time, long thread, long job) {
            if (tree.jobs.contains(job)) {
                out.onJobFinished(time, thread, job);
            }
        }

        @Override
        public void onMisuse(long time, long thread, Misuse kind, long id) {
            if (tree.tasks.contains(id) || tree.spans.contains(id)) {
                out.onMisuse(time, thread, kind, id);
            }
        }
    }
}
