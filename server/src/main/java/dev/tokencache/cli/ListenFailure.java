package dev.tokencache.cli;

import java.net.BindException;
import java.util.Locale;

/** A listener that could not be opened, said in one line that names it and its address. */
final class ListenFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ListenFailure(String listener, String host, int port, Throwable cause) {
    super(listener + " " + host + ":" + port + ": " + reason(cause), null, false, false);
  }

  /** What went wrong, without a Java class name. */
  static String reason(Throwable cause) {
    Throwable root = cause;
    while ((root instanceof java.util.concurrent.ExecutionException
        || root instanceof java.util.concurrent.CompletionException) && root.getCause() != null) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (root instanceof BindException) {
      String lower = message.toLowerCase(Locale.ROOT);
      if (lower.contains("already in use")) {
        return "address already in use (another process listens there; choose another port)";
      }
      if (lower.contains("cannot assign")) {
        return "cannot assign the address (it is not one of this machine's)";
      }
      return lower;
    }
    return message;
  }
}
