package dev.tokencache.http;

/** Told about every answered request, on the event loop that answered it. Must not block. */
@FunctionalInterface
public interface RequestObserver {
  void completed(RequestRecord record);

  RequestObserver NONE = record -> { };
}
