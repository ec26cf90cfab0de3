package pyfsjvm.bridge;

/**
 * A cancellation flag shared by the threads of one operation. Workers call {@link #check()} in
 * their loops (once per directory, per buffer, per file) so that Ctrl-C in Python stops the work
 * promptly: CPU-bound Java cannot be interrupted any other way.
 */
public final class Cancel {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Throws {@link CancelledException} once the operation has been cancelled. */
    public void check() {
        if (cancelled) {
            throw new CancelledException();
        }
    }

    /** Thrown inside an operation's threads to unwind after {@link #cancel()}. */
    public static final class CancelledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CancelledException() {
            super("cancelled", null, false, false);
        }
    }
}
