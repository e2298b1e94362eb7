package io.asynctrace.tool;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link SummaryHandler}'s figures as text or as the documented JSON. */
final class SummaryReport {
    private final SummaryHandler s;
    private final Scan scan;

    SummaryReport(SummaryHandler s, Scan scan) {
        this.s = s;
        this.scan = scan;
    }

    /** Writes the JSON object documented in docs/CLI.md under "summary --json". */
    void json(JsonWriter j, boolean histograms) {
        j.beginObject();
        j.field("events", scan.events());
        j.field("segments", scan.segments());
        j.field("dropped", scan.dropped());
        j.field("truncated", scan.truncated());
        j.name("truncated_at").valueOrNull(scan.truncatedAt());
        j.field("complete", scan.complete());
        j.field("duration_ns", s.duration());
        j.field("misuse", s.misuse);
        j.field("unmatched_task_ends", s.unmatchedTaskEnds);
        if (s.groupBy != null) {
            j.field("group_by", s.groupBy).field("late_attributes", s.lateAttributes)
                    .field("group_limit", Groups.PER_TYPE).field("groups_folded", s.groups.folded());
        }
        j.name("tasks").beginArray();
        for (Map.Entry<SummaryHandler.Row, SummaryHandler.TypeStats> e : Sorted.byKey(s.taskTypes)) {
            Latency l = e.getValue().latency;
            j.beginObject().field("type", e.getKey().type());
            if (s.groupBy != null) {
                j.name("group");
                if (e.getKey().group() == null) {
                    j.nullValue();
                } else if (Groups.isOther(e.getKey().group())) {
                    j.beginObject().endObject().field("other_values", true);
                } else {
                    j.beginObject().field(s.groupBy, e.getKey().group()).endObject();
                }
            }
            j.field("count", l.count).field("complete", l.complete);
            percentiles(j, l);
            j.name("outcomes").beginObject();
            for (Map.Entry<String, long[]> o : e.getValue().outcomes.entrySet()) {
                j.field(o.getKey(), o.getValue()[0]);
            }
            j.endObject();
            if (histograms) {
                j.name("histogram").beginArray();
                for (int i = 0; i < Latency.BUCKETS; i++) {
                    if (l.bucketCount(i) > 0) {
                        j.beginObject().field("min_ns", Latency.lowerBound(i));
                        j.name("max_ns").valueOrNull(i == Latency.BUCKETS - 1 ? -1 : Latency.upperBound(i));
                        j.field("count", l.bucketCount(i)).endObject();
                    }
                }
                j.endArray();
            }
            j.endObject();
        }
        j.endArray();
        j.name("spans").beginArray();
        for (Map.Entry<String, Latency> e : Sorted.byKey(s.spanNames)) {
            Latency l = e.getValue();
            j.beginObject().field("name", e.getKey()).field("count", l.count).field("complete", l.complete);
            percentiles(j, l);
            j.endObject();
        }
        j.endArray();
        j.name("logs").beginArray();
        for (Map.Entry<String, long[]> e : Sorted.byKey(s.logCategories)) {
            j.beginObject().field("category", e.getKey()).field("count", e.getValue()[0]).endObject();
        }
        j.endArray();
        j.name("threads").beginArray();
        for (Map.Entry<Long, String> e : s.threads.entrySet()) {
            j.beginObject().field("id", e.getKey()).field("name", e.getValue()).endObject();
        }
        j.endArray();
        j.name("runtime");
        s.runtime.json(j);
        j.endObject();
    }

    private static void percentiles(JsonWriter j, Latency l) {
        j.name("p50_ns").valueOrNull(l.percentile(50));
        j.name("p90_ns").valueOrNull(l.percentile(90));
        j.name("p99_ns").valueOrNull(l.percentile(99));
        j.name("max_ns").valueOrNull(l.max());
    }

    /** Writes the human-readable summary. */
    void text(PrintWriter out, String file) {
        out.printf(Locale.ROOT, "trace %s: %d events in %d segments over %s, %s%n", file, scan.events(),
                scan.segments(), Durations.human(s.duration()),
                scan.truncated() ? "TRUNCATED at byte offset " + scan.truncatedAt()
                        : scan.complete() ? "complete" : "incomplete");
        out.printf(Locale.ROOT, "dropped events: %d   misuse: %d   threads: %d%n", scan.dropped(), s.misuse,
                s.threads.size());
        if (s.unmatchedTaskEnds > 0) {
            out.printf(Locale.ROOT, "task ends without a begin (begin dropped or cut off): %d%n", s.unmatchedTaskEnds);
        }
        if (s.groupBy != null && s.lateAttributes > 0) {
            out.printf(Locale.ROOT, "task attributes read too late to group their task: %d%n", s.lateAttributes);
        }
        if (s.groupBy != null && s.groups.folded() > 0) {
            out.printf(Locale.ROOT, "tasks in a type's (other values) row: %d (past its first %d values of %s)%n",
                    s.groups.folded(), Groups.PER_TYPE, s.groupBy);
        }
        s.runtime.warnings(out);
        out.println();
        List<String[]> rows = new ArrayList<>();
        rows.add(s.groupBy == null ? new String[] {"TASK TYPE", "COUNT", "COMPLETE", "P50", "P90", "P99", "MAX"}
                : new String[] {"TASK TYPE", s.groupBy, "COUNT", "COMPLETE", "P50", "P90", "P99", "MAX"});
        for (Map.Entry<SummaryHandler.Row, SummaryHandler.TypeStats> e : Sorted.byKey(s.taskTypes)) {
            Latency l = e.getValue().latency;
            String[] r = row(e.getKey().type(), l);
            if (s.groupBy != null) {
                String[] g = new String[r.length + 1];
                g[0] = r[0];
                g[1] = groupText(e.getKey().group());
                System.arraycopy(r, 1, g, 2, r.length - 1);
                r = g;
            }
            rows.add(r);
        }
        Table.print(out, rows);
        for (Map.Entry<SummaryHandler.Row, SummaryHandler.TypeStats> e : Sorted.byKey(s.taskTypes)) {
            SummaryHandler.Row row = e.getKey();
            histogram(out, s.groupBy == null ? row.type() : row.type() + " " + s.groupBy + "=" + groupText(row.group()),
                    e.getValue());
        }
        out.println();
        rows = new ArrayList<>();
        rows.add(new String[] {"SPAN", "COUNT", "COMPLETE", "P50", "P90", "P99", "MAX"});
        for (Map.Entry<String, Latency> e : Sorted.byKey(s.spanNames)) {
            rows.add(row(e.getKey(), e.getValue()));
        }
        Table.print(out, rows);
        out.println();
        rows = new ArrayList<>();
        rows.add(new String[] {"LOG CATEGORY", "COUNT"});
        for (Map.Entry<String, long[]> e : Sorted.byKey(s.logCategories)) {
            rows.add(new String[] {e.getKey(), Long.toString(e.getValue()[0])});
        }
        Table.print(out, rows);
        out.println();
        rows = new ArrayList<>();
        rows.add(new String[] {"THREAD", "ID"});
        for (Map.Entry<Long, String> e : s.threads.entrySet()) {
            rows.add(new String[] {e.getValue(), Long.toString(e.getKey())});
        }
        Table.print(out, rows);
        s.runtime.text(out);
    }

    private static String[] row(String name, Latency l) {
        return new String[] {name, Long.toString(l.count), Long.toString(l.complete),
            Durations.human(l.percentile(50)), Durations.human(l.percentile(90)),
            Durations.human(l.percentile(99)), Durations.human(l.max())};
    }

    private static void histogram(PrintWriter out, String type, SummaryHandler.TypeStats stats) {
        Latency l = stats.latency;
        int first = -1;
        int last = -1;
        long most = 0;
        for (int i = 0; i < Latency.BUCKETS; i++) {
            if (l.bucketCount(i) > 0) {
                first = first < 0 ? i : first;
                last = i;
                most = Math.max(most, l.bucketCount(i));
            }
        }
        if (first < 0) {
            return;
        }
        out.printf(Locale.ROOT, "%n%s latency (outcomes %s):%n", type, outcomes(stats));
        for (int i = first; i <= last; i++) {
            long c = l.bucketCount(i);
            int bar = (int) ((c * 40 + most - 1) / most);
            out.printf(Locale.ROOT, "  %8s .. %-8s %-40s %d%n", Durations.human(Latency.lowerBound(i)),
                    i == Latency.BUCKETS - 1 ? "" : Durations.human(Latency.upperBound(i)), "#".repeat(bar), c);
        }
    }

    private static String outcomes(SummaryHandler.TypeStats stats) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, long[]> o : stats.outcomes.entrySet()) {
            b.append(b.length() == 0 ? "" : ", ").append(o.getKey()).append(' ').append(o.getValue()[0]);
        }
        return b.length() == 0 ? "none ended" : b.toString();
    }

    private static String groupText(String group) {
        return group == null ? "(none)" : Groups.isOther(group) ? "(other values)" : group;
    }
}
