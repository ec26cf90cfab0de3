package pyfsjvm.delta;

/** A request the server refuses: status code and a short plain-text reason for the client. */
final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;

    final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
