package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.StackFrame;
import io.asynctrace.tool.pprof.ProfileProto;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Aggregates samples (a stack, a value in nanoseconds, a task type and a thread) into a
 * pprof profile ({@code profile.proto}, encoded by protobuf-java, gzipped as pprof
 * expects). Samples with the same stack and labels are summed, so memory is one entry
 * per distinct stack, task type and thread, never per event.
 *
 * <p>Each distinct frame is a pprof {@code Location} with one {@code Line}; each
 * distinct {@code class.method} and file a {@code Function}. Unless asked to keep them,
 * the innermost frames that are the JDK's own ({@code java.}, {@code javax.},
 * {@code jdk.}, {@code sun.}, {@code com.sun.}: {@code Thread.sleep},
 * {@code LockSupport.park}, socket streams) are left out of each stack, so the leaf is
 * the application's code that waited; a stack made only of JDK frames is kept whole.
 * Not thread-safe.
 */
final class PprofBuilder {
    private record SampleKey(int stack, int taskType, int thread) {
    }

    private record FunctionKey(String name, String file) {
    }

    private final String sampleType;
    private final boolean keepJdkFrames;
    private final List<String> strings = new ArrayList<>();
    private final Map<String, Integer> stringIds = new HashMap<>();
    private final Map<CallStack, Integer> stackIds = new HashMap<>();
    private final List<long[]> stackLocations = new ArrayList<>();
    private final Map<StackFrame, Long> locationIds = new LinkedHashMap<>();
    private final Map<FunctionKey, Long> functionIds = new LinkedHashMap<>();
    private final Map<SampleKey, long[]> samples = new LinkedHashMap<>();
    private long total;
    private long count;

    /**
     * @param sampleType what a value measures ({@code delay}, {@code time}); the unit is nanoseconds
     * @param keepJdkFrames whether to keep the JDK's innermost frames
     */
    PprofBuilder(String sampleType, boolean keepJdkFrames) {
        this.sampleType = sampleType;
        this.keepJdkFrames = keepJdkFrames;
        string("");
    }

    /**
     * Adds one sample.
     *
     * @param stack its stack (not null, may be empty)
     * @param nanos its value
     * @param taskType the task type label, or null for none
     * @param thread the thread label, or null for none
     */
    void add(CallStack stack, long nanos, String taskType, String thread) {
        Integer s = stackIds.get(stack);
        if (s == null) {
            s = stackLocations.size();
            stackIds.put(stack, s);
            stackLocations.add(locations(stack));
        }
        SampleKey key = new SampleKey(s, taskType == null ? 0 : string(taskType), thread == null ? 0 : string(thread));
        long v = Math.max(0, nanos);
        samples.computeIfAbsent(key, k -> new long[1])[0] += v;
        total += v;
        count++;
    }

    /** @return samples added */
    long count() {
        return count;
    }

    /** @return the sum of their values, ns */
    long totalNanos() {
        return total;
    }

    /**
     * Writes the profile, gzipped.
     *
     * @param out where it goes; not closed
     * @param startWallNanos when the profiled interval began, ns since the Unix epoch
     * @param durationNanos how long it lasted
     * @param comment a line of text kept in the profile
     * @throws IOException if writing fails
     */
    void write(OutputStream out, long startWallNanos, long durationNanos, String comment) throws IOException {
        ProfileProto.Profile.Builder p = ProfileProto.Profile.newBuilder();
        ProfileProto.ValueType type = ProfileProto.ValueType.newBuilder()
                .setType(string(sampleType)).setUnit(string("nanoseconds")).build();
        p.addSampleType(type);
        p.setPeriodType(type);
        p.setPeriod(1);
        p.setDefaultSampleType(string(sampleType));
        p.setTimeNanos(startWallNanos);
        p.setDurationNanos(Math.max(0, durationNanos));
        p.addComment(string(comment));
        long taskTypeKey = string("task_type");
        long threadKey = string("thread");
        for (Map.Entry<SampleKey, long[]> e : samples.entrySet()) {
            SampleKey k = e.getKey();
            ProfileProto.Sample.Builder s = ProfileProto.Sample.newBuilder();
            for (long loc : stackLocations.get(k.stack())) {
                s.addLocationId(loc);
            }
            s.addValue(e.getValue()[0]);
            if (k.taskType() != 0) {
                s.addLabel(ProfileProto.Label.newBuilder().setKey(taskTypeKey).setStr(k.taskType()));
            }
            if (k.thread() != 0) {
                s.addLabel(ProfileProto.Label.newBuilder().setKey(threadKey).setStr(k.thread()));
            }
            p.addSample(s);
        }
        p.addMapping(ProfileProto.Mapping.newBuilder().setId(1).setFilename(string("java"))
                .setHasFunctions(true).setHasFilenames(true).setHasLineNumbers(true));
        for (Map.Entry<StackFrame, Long> e : locationIds.entrySet()) {
            StackFrame f = e.getKey();
            long function = functionIds.get(new FunctionKey(f.function(), f.file()));
            p.addLocation(ProfileProto.Location.newBuilder().setId(e.getValue()).setMappingId(1)
                    .addLine(ProfileProto.Line.newBuilder().setFunctionId(function).setLine(f.line())));
        }
        for (Map.Entry<FunctionKey, Long> e : functionIds.entrySet()) {
            long name = string(e.getKey().name());
            p.addFunction(ProfileProto.Function.newBuilder().setId(e.getValue()).setName(name).setSystemName(name)
                    .setFilename(string(e.getKey().file())));
        }
        p.addAllStringTable(strings); // last: every index above is in it now
        GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
        p.build().writeTo(gz);
        gz.finish();
        gz.flush();
    }

    private long[] locations(CallStack stack) {
        int from = 0;
        if (!keepJdkFrames) {
            while (from < stack.size() && jdk(stack.frame(from).className())) {
                from++;
            }
            if (from == stack.size()) {
                from = 0; // only JDK frames: keep them all
            }
        }
        long[] ids = new long[stack.size() - from];
        for (int i = from; i < stack.size(); i++) {
            StackFrame f = stack.frame(i);
            Long id = locationIds.get(f);
            if (id == null) {
                id = (long) locationIds.size() + 1;
                locationIds.put(f, id);
                functionIds.computeIfAbsent(new FunctionKey(f.function(), f.file()), k -> (long) functionIds.size() + 1);
            }
            ids[i - from] = id;
        }
        return ids;
    }

    /** @return whether a class is the JDK's own */
    static boolean jdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
    }

    private int string(String s) {
        Integer id = stringIds.get(s);
        if (id == null) {
            id = strings.size();
            strings.add(s);
            stringIds.put(s, id);
        }
        return id;
    }
}
