package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.testing.Await;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A leased thread parked where {@code Recorder.refill} leaves its state while it swaps
 * buffers: its buffer neither its lease's nor queued for the writer, only in its hands
 * (what a thread descheduled there looks like to the writer).
 */
final class StuckInSwap implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicReference<ThreadState> state = new AtomicReference<>();
    private final Thread thread;
    private Buffer held;

    StuckInSwap(Runnable events) {
        CountDownLatch recorded = new CountDownLatch(1);
        thread = new Thread(() -> {
            events.run();
            state.set(ThreadState.current());
            recorded.countDown();
            Await.latch("the test lets it go", release);
        }, "stuck-in-swap");
        thread.setDaemon(true);
        thread.start();
        Await.latch("the thread recorded its events", recorded);
    }

    /** From here on the thread is mid swap, as refill leaves it. */
    StuckInSwap freeze() {
        ThreadState st = state.get();
        assertThat(st.shared).as("a leased thread").isFalse();
        held = st.buffer;
        st.swapped = held;
        st.buffer = null;
        st.refilling = true;
        return this;
    }

    @Override
    public void close() {
        ThreadState st = state.get();
        st.buffer = held;
        st.refilling = false;
        release.countDown();
        Await.joined(thread);
    }
}
