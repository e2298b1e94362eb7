package io.asynctrace.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The attributes of one exported span, in the order they were put (a key put again keeps its
 * place and takes the later value): what {@code Attributes.builder()} gives, without sorting
 * and copying the pairs at every span — a span has a dozen of them and a file export builds
 * millions. Equal to any {@link Attributes} with the same pairs (one way: the SDK's own
 * attributes compare equal only among themselves). Immutable once built.
 */
final class SpanAttributes implements Attributes {
    private final AttributeKey<?>[] keys;
    private final Object[] values;
    private final int size;

    private SpanAttributes(AttributeKey<?>[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
    }

    /** Collects the pairs; for one thread, used once. */
    static final class Builder {
        private AttributeKey<?>[] keys = new AttributeKey<?>[16];
        private Object[] values = new Object[16];
        private int size;

        /** Puts {@code value} under {@code key}; a null value is left out, as the SDK's builder does. */
        <T> Builder put(AttributeKey<T> key, T value) {
            if (value == null) {
                return this;
            }
            for (int i = 0; i < size; i++) {
                if (keys[i].equals(key)) {
                    values[i] = value;
                    return this;
                }
            }
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            keys[size] = key;
            values[size++] = value;
            return this;
        }

        Builder put(AttributeKey<Long> key, long value) {
            return put(key, Long.valueOf(value));
        }

        SpanAttributes build() {
            return new SpanAttributes(keys, values, size);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(AttributeKey<T> key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return (T) values[i];
            }
        }
        return null;
    }

    @Override
    public void forEach(BiConsumer<? super AttributeKey<?>, ? super Object> consumer) {
        for (int i = 0; i < size; i++) {
            consumer.accept(keys[i], values[i]);
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Map<AttributeKey<?>, Object> asMap() {
        Map<AttributeKey<?>, Object> m = new LinkedHashMap<>(size * 2);
        forEach(m::put);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public AttributesBuilder toBuilder() {
        return Attributes.builder().putAll(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attributes a && a.size() == size && asMap().equals(a.asMap());
    }

    @Override
    public int hashCode() {
        return asMap().hashCode();
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
