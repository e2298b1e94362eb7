package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The small building blocks: histogram buckets, the id map, JSON escaping, interval union, part names. */
class PartsTest {
    @Test
    void fiveBucketsPerDecade() {
        assertThat(Latency.bucket(0)).isZero();
        assertThat(Latency.bucket(1)).isZero();
        assertThat(Latency.bucket(10)).isEqualTo(5);
        assertThat(Latency.bucket(99)).isEqualTo(9);
        assertThat(Latency.bucket(100)).isEqualTo(10);
        assertThat(Latency.bucket(1_000_000)).isEqualTo(30);
        assertThat(Latency.lowerBound(31)).isEqualTo(1_584_893);
        assertThat(Latency.bucket(Long.MAX_VALUE)).isEqualTo(Latency.BUCKETS - 1);
        for (long v = 1; v < 1_000_000_000_000L; v = v * 3 + 1) {
            int b = Latency.bucket(v);
            assertThat(v).isGreaterThanOrEqualTo(Latency.lowerBound(b)).isLessThan(Latency.upperBound(b));
        }
    }

    @Test
    void percentilesWithinOnePercent() {
        Latency l = new Latency(true);
        for (int i = 1; i <= 1000; i++) {
            l.record(i * 1000L);
        }
        l.countIncomplete();
        assertThat(l.count).isEqualTo(1001);
        assertThat(l.complete).isEqualTo(1000);
        assertThat(l.percentile(50)).isBetween(495_000L, 505_000L);
        assertThat(l.percentile(99)).isBetween(980_000L, 1_000_000L);
        assertThat(l.max()).isEqualTo(1_000_000L);
        assertThat(new Latency(false).percentile(50)).isEqualTo(-1);
    }

    @Test
    void longMapAgreesWithHashMap() {
        LongMap<String> map = new LongMap<>(4);
        Map<Long, Long> ref = new HashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            long key = 1 + random.nextInt(5000);
            if (random.nextBoolean()) {
                map.put(key, key * 3, "v" + key);
                ref.put(key, key * 3);
            } else {
                assertThat(map.remove(key)).isEqualTo(ref.remove(key) != null);
            }
            assertThat(map.size()).isEqualTo(ref.size());
        }
        for (Map.Entry<Long, Long> e : ref.entrySet()) {
            assertThat(map.find(e.getKey())).isTrue();
            assertThat(map.foundLong()).isEqualTo(e.getValue());
            assertThat(map.foundObject()).isEqualTo("v" + e.getKey());
        }
        long[] seen = new long[1];
        map.forEach((k, l, o) -> seen[0]++);
        assertThat(seen[0]).isEqualTo(ref.size());
    }

    @Test
    void jsonEscapesEverythingThatNeedsIt() {
        StringWriter s = new StringWriter();
        new JsonWriter(s).beginObject().field("k\"", Traces.NASTY).name("n").nullValue()
                .name("a").beginArray().value(1).value(true).value((String) null).endArray().endObject();
        assertThat(s.toString()).doesNotContain("\n").contains("\\u0007", "\\u2028", "\\\"", "\\\\");
        Map<String, Object> back = MiniJson.object(s.toString());
        assertThat(back.get("k\"")).isEqualTo(Traces.NASTY);
        assertThat(back).containsKey("n");
        assertThat(back.get("n")).isNull();
    }

    @Test
    void microsecondsKeepNanosecondDecimals() {
        assertThat(PerfettoExporter.micros(1_234_567)).isEqualTo("1234.567");
        assertThat(PerfettoExporter.micros(5)).isEqualTo("0.005");
        assertThat(PerfettoExporter.micros(-1_500)).isEqualTo("-1.500");
        assertThat(PartWriter.partPath(java.nio.file.Path.of("/x/out.json"), 3).toString()).isEqualTo("/x/out.3.json");
        assertThat(PartWriter.partPath(java.nio.file.Path.of("out"), 2).toString()).isEqualTo("out.2");
    }
}
