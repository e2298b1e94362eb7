package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Spans as a backend received them (Zipkin's JSON or decoded OTLP), and the check that they
 * hold a trace's {@code tasks --json} task by task.
 */
final class ExportedSpans {
    /** One received span; times in nanoseconds since the epoch (Zipkin's are microseconds × 1000). */
    record Received(String traceId, String id, String parentId, String name, long start, long duration,
            Map<String, String> tags, List<String> events, String status) {
    }

    private ExportedSpans() {
    }

    /**
     * Checks that every task of {@code tasksJson} is a span named by its type (a child span of
     * its parent task's span, in its trace), with its spans as children (nesting inside the task
     * kept), its logs as events, its breakdown and threads as attributes, and the same durations.
     *
     * @param micros whether the backend keeps microseconds (Zipkin: names lower-cased too)
     * @return the task spans by task id
     */
    static Map<Long, Received> check(List<Object> tasksJson, List<Received> received, boolean micros) {
        Map<Long, Received> taskSpans = new HashMap<>();
        Map<Long, List<Received>> spansOfTask = new HashMap<>();
        for (Received r : received) {
            long task = Long.parseLong(r.tags().get("asynctrace.task_id"));
            if (r.tags().containsKey("asynctrace.span_id")) {
                spansOfTask.computeIfAbsent(task, k -> new ArrayList<>()).add(r);
            } else {
                assertThat(taskSpans.put(task, r)).as("task %d exported once", task).isNull();
            }
        }
        int spanCount = 0;
        for (Object o : tasksJson) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) o;
            long id = (Long) t.get("id");
            Received span = taskSpans.get(id);
            assertThat(span).as("task %d exported", id).isNotNull();
            assertThat(span.name()).isEqualTo(name((String) t.get("type"), micros));
            assertDuration(span.duration(), (Long) t.get("duration_ns"), micros);
            assertThat(span.tags()).containsEntry("asynctrace.outcome", (String) t.get("outcome"));
            for (String k : List.of("running_ns", "queued_ns", "other_ns", "blocked_ns", "socket_ns", "gc_ns")) {
                assertThat(span.tags()).as("task %d %s", id, k).containsEntry("asynctrace." + k, String.valueOf(t.get(k)));
            }
            assertThat(span.tags().get("asynctrace.threads")).as("threads of task %d", id)
                    .isEqualTo(String.join(",", strings(t.get("threads"))));
            if ("ok".equals(t.get("outcome"))) {
                assertThat(span.status()).isEqualTo("OK");
            } else if (t.get("outcome") != null) {
                assertThat(span.status()).isEqualTo("ERROR " + t.get("outcome"));
            }
            Object parent = t.get("parent");
            if (parent != null) {
                Received p = taskSpans.get((Long) parent);
                assertThat(p).as("parent task %s of %d exported", parent, id).isNotNull();
                assertThat(span.parentId()).as("parent of task %d", id).isEqualTo(p.id());
                assertThat(span.traceId()).isEqualTo(p.traceId());
            }
            List<String> logs = new ArrayList<>();
            for (Object l : (List<?>) t.get("logs")) {
                Map<?, ?> log = (Map<?, ?>) l;
                logs.add(log.get("category") + ": " + log.get("message"));
            }
            assertThat(span.events()).as("logs of task %d", id).containsExactlyInAnyOrderElementsOf(logs);
            List<Received> mine = spansOfTask.getOrDefault(id, List.of());
            List<?> spans = (List<?>) t.get("spans");
            assertThat(mine).as("spans of task %d", id).hasSameSizeAs(spans);
            Set<String> inTask = new HashSet<>();
            inTask.add(span.id());
            mine.forEach(r -> inTask.add(r.id()));
            List<Received> unmatched = new ArrayList<>(mine);
            for (Object so : spans) {
                Map<?, ?> s = (Map<?, ?>) so;
                long start = (Long) s.get("start_ns") - (Long) t.get("start_ns");
                Received match = unmatched.stream().filter(r -> r.name().equals(name((String) s.get("name"), micros))
                        && r.tags().get("asynctrace.thread").equals(s.get("thread"))
                        && Math.abs((r.start() - span.start()) - start) <= (micros ? 1000 : 0)).findFirst()
                        .orElseThrow(() -> new AssertionError("span " + s + " of task " + id + " not in " + unmatched));
                unmatched.remove(match);
                assertThat(match.traceId()).isEqualTo(span.traceId());
                assertThat(inTask).as("parent of span %s", s).contains(match.parentId());
                if (s.get("duration_ns") != null) {
                    assertDuration(match.duration(), (Long) s.get("duration_ns"), micros);
                    assertThat(match.tags()).containsEntry("asynctrace.end_thread", (String) s.get("end_thread"));
                } else {
                    assertThat(match.tags()).containsEntry("asynctrace.incomplete", "true");
                }
                spanCount++;
            }
        }
        assertThat(received).hasSize(tasksJson.size() + spanCount);
        return taskSpans;
    }

    private static String name(String name, boolean zipkin) {
        return zipkin ? name.toLowerCase(Locale.ROOT) : name;
    }

    private static void assertDuration(long received, long durationNanos, boolean micros) {
        if (micros) {
            assertThat(received).isEqualTo(Math.max(1, (durationNanos + 500) / 1000) * 1000);
        } else {
            assertThat(received).isEqualTo(durationNanos);
        }
    }

    private static List<String> strings(Object list) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) list) {
            out.add((String) o);
        }
        return out;
    }

    /** @return Zipkin v2 JSON spans as received spans */
    static List<Received> fromZipkin(List<Map<String, Object>> spans) {
        List<Received> out = new ArrayList<>();
        for (Map<String, Object> s : spans) {
            Map<String, String> tags = new HashMap<>();
            Object t = s.get("tags");
            if (t != null) {
                ((Map<?, ?>) t).forEach((k, v) -> tags.put((String) k, (String) v));
            }
            List<String> events = new ArrayList<>();
            Object a = s.get("annotations");
            if (a != null) {
                for (Object o : (List<?>) a) {
                    events.add((String) ((Map<?, ?>) o).get("value"));
                }
            }
            String code = tags.get("otel.status_code");
            String status = code == null ? "UNSET" : code.equals("ERROR") ? "ERROR " + tags.get("error") : code;
            out.add(new Received((String) s.get("traceId"), (String) s.get("id"), (String) s.get("parentId"),
                    (String) s.get("name"), (Long) s.get("timestamp") * 1000,
                    s.get("duration") == null ? 0 : (Long) s.get("duration") * 1000, tags, events, status));
        }
        return out;
    }
}
