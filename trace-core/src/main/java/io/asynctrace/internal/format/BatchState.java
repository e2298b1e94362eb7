package io.asynctrace.internal.format;

/**
 * The delta state of the batch being written: the time of its last event and its
 * last span/job and task ids, each the base of the next event's delta. Confined to
 * whoever appends to the batch.
 */
public class BatchState {
    /** Time of the batch's last event, on the writer's clock (only differences are written). */
    public long lastTs;
    /** The batch's last span or job id (0 at a batch's start). */
    public long lastId;
    /** The batch's last task id (0 at a batch's start). */
    public long lastTask;

    /**
     * Starts a batch at {@code ts}.
     *
     * @param ts the batch header's time on the writer's clock
     */
    public void startBatch(long ts) {
        lastTs = ts;
        lastId = 0;
        lastTask = 0;
    }
}
