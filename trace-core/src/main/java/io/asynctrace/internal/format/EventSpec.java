package io.asynctrace.internal.format;

import java.util.List;

/**
 * One row of the {@link EventTable}: an event kind's type byte, name and fields, in
 * wire order. Every event but a batch header starts with its type byte and a varint
 * time delta, which are not listed as fields.
 *
 * @param code the type byte
 * @param name the kind's name, as {@code docs/FORMAT.md} spells it
 * @param batch whether this kind opens a batch (no time delta: its fields set the batch state)
 * @param stack whether an event of this kind may carry a stack id (type byte | {@link Wire#STACK_FLAG},
 *              the id right after the time delta; format version 2 on)
 * @param fields the fields after the type byte (and time delta, and stack id)
 */
public record EventSpec(byte code, String name, boolean batch, boolean stack, List<Field> fields) {
    /** How a field is coded, and what it means to the batch's delta state. */
    public enum Coding {
        /** An unsigned varint. */
        VAR,
        /** A span or job id: zigzag delta from the batch's last span/job id, which it becomes. */
        SPAN,
        /** A task id: zigzag delta from the batch's last task id, which it becomes. */
        TASK,
        /** A parent id: zigzag of (this event's first id − parent), 0 = none. */
        PARENT,
        /** A string reference: a table id (1..N), or 0 and an inline string. */
        REF,
        /** An inline string. */
        STRING
    }

    /**
     * A field of an event.
     *
     * @param name what it holds
     * @param coding how it is coded
     */
    public record Field(String name, Coding coding) {
    }

    /** @return how many fields the kind has */
    public int arity() {
        return fields.size();
    }

    /**
     * @param i a field index
     * @return its coding
     */
    public Coding coding(int i) {
        return fields.get(i).coding();
    }
}
