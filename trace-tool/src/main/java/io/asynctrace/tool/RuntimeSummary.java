package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeKind;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The runtime-event figures of {@code asynctrace summary}: counts and total duration
 * per {@link RuntimeKind}, GC pauses (count, total, max), heap used after each GC
 * (min, max, last and a series of samples), JDK Flight Recorder's data loss and why
 * runtime events are unavailable.
 *
 * <p>Memory is bounded: the heap series keeps at most {@link #MAX_HEAP_SAMPLES}
 * samples (when full, every other one is dropped and from then on only every second,
 * fourth, ... GC is sampled; min, max and last stay exact), and at most
 * {@link #MAX_REASONS} distinct loss and unavailability reasons are kept. Not thread-safe.
 */
final class RuntimeSummary {
    /** Heap samples kept at most. */
    static final int MAX_HEAP_SAMPLES = 512;
    /** Distinct reasons kept at most, per list. */
    static final int MAX_REASONS = 16;

    final long[] counts = new long[RuntimeKind.values().length];
    final long[] totals = new long[RuntimeKind.values().length];
    long events;
    long gcMax;
    long heapCount;
    long heapMin = Long.MAX_VALUE;
    long heapMax = -1;
    long heapLast = -1;
    private long heapLastTime = Long.MIN_VALUE;
    private long[] heapTimes = new long[16];
    private long[] heapBytes = new long[16];
    private int heapSamples;
    /** Sample one heap event in {@code heapStride}. */
    private long heapStride = 1;
    long lossAmount;
    /** Reason to count, in order of first appearance. */
    final Map<String, long[]> lossReasons = new LinkedHashMap<>();
    final Map<String, long[]> unavailable = new LinkedHashMap<>();

    /** Takes one runtime event (see {@link io.asynctrace.reader.TraceHandler#onRuntime}). */
    void add(long time, RuntimeKind kind, long duration, long value, String detail) {
        events++;
        counts[kind.ordinal()]++;
        totals[kind.ordinal()] += duration;
        switch (kind) {
            case GC_PAUSE:
                gcMax = Math.max(gcMax, duration);
                break;
            case HEAP_AFTER_GC:
                heap(time, value);
                break;
            case DATA_LOSS:
                lossAmount += value;
                reason(lossReasons, detail);
                break;
            case UNAVAILABLE:
                reason(unavailable, detail);
                break;
            default:
                break;
        }
    }

    private void heap(long time, long bytes) {
        heapMin = Math.min(heapMin, bytes);
        heapMax = Math.max(heapMax, bytes);
        if (time >= heapLastTime) {
            heapLastTime = time;
            heapLast = bytes;
        }
        if (heapCount++ % heapStride != 0) {
            return;
        }
        if (heapSamples == MAX_HEAP_SAMPLES) {
            for (int i = 0; i < heapSamples / 2; i++) {
                heapTimes[i] = heapTimes[2 * i];
                heapBytes[i] = heapBytes[2 * i];
            }
            heapSamples /= 2;
            heapStride *= 2;
            if ((heapCount - 1) % heapStride != 0) {
                return;
            }
        }
        if (heapSamples == heapTimes.length) {
            heapTimes = java.util.Arrays.copyOf(heapTimes, heapSamples * 2);
            heapBytes = java.util.Arrays.copyOf(heapBytes, heapSamples * 2);
        }
        heapTimes[heapSamples] = time;
        heapBytes[heapSamples] = bytes;
        heapSamples++;
    }

    private static void reason(Map<String, long[]> reasons, String detail) {
        String why = detail == null || detail.isEmpty() ? "(no reason given)" : detail;
        long[] n = reasons.get(why);
        if (n == null && reasons.size() < MAX_REASONS) {
            n = new long[1];
            reasons.put(why, n);
        }
        if (n != null) {
            n[0]++;
        }
    }

    long count(RuntimeKind kind) {
        return counts[kind.ordinal()];
    }

    long total(RuntimeKind kind) {
        return totals[kind.ordinal()];
    }

    /** @return the heap samples, {@code {time, bytes}}, in time order */
    List<long[]> heapSeries() {
        List<long[]> list = new ArrayList<>(heapSamples);
        for (int i = 0; i < heapSamples; i++) {
            list.add(new long[] {heapTimes[i], heapBytes[i]});
        }
        list.sort((a, b) -> Long.compare(a[0], b[0]));
        return list;
    }

    /** Writes the {@code "runtime"} object of {@code summary --json} (documented in docs/CLI.md). */
    void json(JsonWriter j) {
        j.beginObject().field("events", events);
        j.name("gc").beginObject().field("pauses", count(RuntimeKind.GC_PAUSE))
                .field("total_ns", total(RuntimeKind.GC_PAUSE)).field("max_ns", gcMax).endObject();
        j.name("heap_min_bytes").valueOrNull(heapCount == 0 ? -1 : heapMin);
        j.name("heap_max_bytes").valueOrNull(heapMax);
        j.name("heap_last_bytes").valueOrNull(heapLast);
        j.field("heap_samples_every", heapStride);
        j.name("heap").beginArray();
        for (long[] s : heapSeries()) {
            j.beginObject().field("time_ns", s[0]).field("used_bytes", s[1]).endObject();
        }
        j.endArray();
        j.name("kinds").beginArray();
        for (RuntimeKind k : RuntimeKind.values()) {
            if (count(k) > 0) {
                j.beginObject().field("kind", RuntimeText.name(k)).field("count", count(k))
                        .field("total_ns", total(k)).endObject();
            }
        }
        j.endArray();
        j.name("data_loss").beginObject().field("reports", count(RuntimeKind.DATA_LOSS)).field("amount", lossAmount);
        reasons(j, lossReasons);
        j.endObject();
        j.name("unavailable").beginArray();
        for (String why : unavailable.keySet()) {
            j.value(why);
        }
        j.endArray();
        j.endObject();
    }

    private static void reasons(JsonWriter j, Map<String, long[]> reasons) {
        j.name("reasons").beginArray();
        for (Map.Entry<String, long[]> e : reasons.entrySet()) {
            j.beginObject().field("reason", e.getKey()).field("count", e.getValue()[0]).endObject();
        }
        j.endArray();
    }

    /** Writes the warnings that belong at the top of the text summary: unavailability and data loss. */
    void warnings(PrintWriter out) {
        for (String why : unavailable.keySet()) {
            out.println("runtime events unavailable: " + why);
        }
        if (count(RuntimeKind.DATA_LOSS) > 0) {
            out.printf(Locale.ROOT, "runtime events lost: %d reports, amount %d%n", count(RuntimeKind.DATA_LOSS),
                    lossAmount);
            for (Map.Entry<String, long[]> e : lossReasons.entrySet()) {
                out.printf(Locale.ROOT, "  %s (x%d)%n", e.getKey(), e.getValue()[0]);
            }
        }
    }

    /** Writes the runtime section of the text summary; nothing when the trace has no runtime events. */
    void text(PrintWriter out) {
        long shown = events - count(RuntimeKind.UNAVAILABLE);
        if (shown == 0) {
            return;
        }
        out.println();
        long pauses = count(RuntimeKind.GC_PAUSE);
        out.printf(Locale.ROOT, "GC pauses: %d, total %s, max %s%n", pauses, Durations.human(total(RuntimeKind.GC_PAUSE)),
                Durations.human(pauses == 0 ? -1 : gcMax));
        if (heapCount > 0) {
            out.printf(Locale.ROOT, "heap after GC: min %s, max %s, last %s (%d GCs)  %s%n", RuntimeText.bytes(heapMin),
                    RuntimeText.bytes(heapMax), RuntimeText.bytes(heapLast), heapCount, sparkline(heapSeries(), 40));
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"RUNTIME EVENT", "COUNT", "TOTAL"});
        for (RuntimeKind k : RuntimeKind.values()) {
            if (count(k) > 0) {
                rows.add(new String[] {RuntimeText.name(k), Long.toString(count(k)),
                    total(k) == 0 ? "-" : Durations.human(total(k))});
            }
        }
        Table.print(out, rows);
    }

    /** @return the series as at most {@code width} block characters scaled from min to max */
    static String sparkline(List<long[]> series, int width) {
        if (series.isEmpty()) {
            return "";
        }
        String blocks = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588";
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long[] s : series) {
            min = Math.min(min, s[1]);
            max = Math.max(max, s[1]);
        }
        int n = Math.min(width, series.size());
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            long v = series.get((int) ((long) i * series.size() / n))[1];
            int level = max == min ? 3 : (int) ((v - min) * 7 / (max - min));
            b.append(blocks.charAt(level));
        }
        return b.toString();
    }
}
