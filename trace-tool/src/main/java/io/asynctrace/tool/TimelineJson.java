package io.asynctrace.tool;

import java.io.StringWriter;
import java.nio.file.Path;

/**
 * The view's {@code /api/timeline} object for one index: the file, indexing progress, the
 * time range, the lanes (task lanes with their group-by values), the attribute keys and the
 * figures of a filtered or grouped pass. Its fields are listed in docs/CLI.md; only added to.
 */
final class TimelineJson {
    private TimelineJson() {
    }

    /**
     * Writes it under {@code i}'s lock.
     *
     * @param i the index shown
     * @param pending while its pass is queued, where it stands (for {@code "pending"}), else null
     * @param summaryReady whether the first pass's summary is made
     * @param first the first pass's index: its failure stands for one of {@code i}'s own, its
     *     attribute keys are the group-by selector's (a copy: read without its lock)
     */
    static String write(Path file, long fileSize, TimelineIndex i, String pending, boolean summaryReady, TimelineIndex first) {
        StringWriter out = new StringWriter();
        JsonWriter j = new JsonWriter(out);
        i.lock.lock();
        try {
            j.beginObject().field("file", file.toString()).field("file_bytes", fileSize)
                    .field("indexed_bytes", i.indexedBytes).field("complete", i.complete)
                    .field("queued", pending != null);
            if (pending != null) {
                j.field("pending", pending);
            }
            j.field("summary_ready", summaryReady)
                    .name("error").value(i.failure != null ? i.failure : first.failure)
                    .field("first_ns", i.firstTime()).field("last_ns", i.lastTime()).field("indexed_to_ns", i.indexedTo())
                    .field("segments", i.segmentCount()).field("long_ns", i.longNanos()).field("overview_bin_ns", i.binWidth());
            j.name("lanes").beginArray();
            for (TimelineLanes.Lane l : i.lanes()) {
                j.beginObject().field("kind", l.kind()).field("name", l.name());
                if (l.kind().equals("thread")) {
                    j.field("thread", l.thread());
                }
                if (l.otherTypes()) {
                    j.field("other_types", true);
                }
                if (l.kind().equals("type") && i.groupBy != null) {
                    j.name("group");
                    if (l.otherTypes()) {
                        j.beginObject().endObject();
                    } else if (l.group() == null) {
                        j.nullValue();
                    } else if (l.otherValues()) {
                        j.beginObject().endObject().field("other_values", true);
                    } else {
                        j.beginObject().field(i.groupBy, l.group()).endObject();
                    }
                }
                j.endObject();
            }
            j.endArray();
            j.name("keys").beginArray();
            for (String k : first.attributeKeys()) { // the first pass's: a copy, safe while it adds
                j.value(k);
            }
            j.endArray().field("group_by", i.groupBy);
            if (i.groupBy != null) {
                j.field("group_limit", Groups.PER_TYPE).field("groups_folded", i.groupsFolded());
            }
            if (i.readsAttributes()) {
                j.field("late_attributes", i.lateAttributes());
            }
            if (i.matching() != null) {
                j.field("decided_early", i.decidedEarly()).field("settled_early", i.settledEarly())
                        .field("dropped_items", i.droppedItems());
            }
            j.endObject();
        } finally {
            i.lock.unlock();
        }
        return out.toString();
    }
}
