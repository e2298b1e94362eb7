package io.asynctrace.junit5;

import io.asynctrace.FlightRecorder;
import java.time.Duration;

/**
 * The JVM-wide flight recorder behind every recorded class: started by the first
 * traced class, stopped when the last traced class that holds a {@link Lease} has
 * written its file (classes running in parallel share it). A flight recorder that this class did
 * not start belongs to the code under test: then nothing is recorded.
 */
final class SharedRecorder {
    static final String FOREIGN = "another flight recorder is running in this JVM (the code under test's?)";
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    /** Everything is kept until maxBytes says otherwise. */
    private static final Duration KEEP = Duration.ofDays(3650);

    // Guarded by SharedRecorder.class.
    private static Shared current;
    private static boolean warned;

    private SharedRecorder() {
    }

    /** One flight recorder and the number of classes using it. */
    private static final class Shared {
        final FlightRecorder flight;
        int leases;

        Shared(FlightRecorder flight) {
            this.flight = flight;
        }
    }

    /** A class's hold on the shared flight recorder; {@link #flight()} is null when another one runs. */
    static final class Lease implements AutoCloseable {
        private final Shared shared;
        private boolean closed;

        Lease(Shared shared) {
            this.shared = shared;
        }

        FlightRecorder flight() {
            return shared == null ? null : shared.flight;
        }

        /** Stops the flight recorder if this was the last class using it. Idempotent. */
        @Override
        public void close() {
            synchronized (SharedRecorder.class) {
                if (shared == null || closed) {
                    return;
                }
                closed = true;
                if (--shared.leases == 0) {
                    shared.flight.stop();
                    if (current == shared) {
                        current = null;
                    }
                }
            }
        }
    }

    /**
     * @param maxBytes the most bytes of trace kept, if this call starts the flight recorder
     * @return a lease on the running shared flight recorder, started if needed
     */
    static synchronized Lease acquire(long maxBytes) {
        if (current != null && current.flight.isRunning()) {
            current.leases++;
            return new Lease(current);
        }
        current = null; // stopped behind our back: start another
        if (FlightRecorder.running() == null) {
            FlightRecorder flight = new FlightRecorder(KEEP, maxBytes);
            try {
                flight.start();
                current = new Shared(flight);
                current.leases = 1;
                return new Lease(current);
            } catch (IllegalStateException raced) {
                // the code under test started one meanwhile
            }
        }
        if (!warned) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, "asynctrace: test classes are not traced: " + FOREIGN);
        }
        return new Lease(null);
    }
}
