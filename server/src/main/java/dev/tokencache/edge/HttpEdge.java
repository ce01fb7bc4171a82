package dev.tokencache.edge;

import org.jspecify.annotations.Nullable;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;

/**
 * What every listener facing clients (the token proxy, the guard) does with the HTTP/1 framing: install
 * {@link StrictRequestDecoder} on each connection, and turn a request the decoder refused into a fixed answer.
 * No answer built here repeats anything of the request.
 */
public final class HttpEdge {
  private HttpEdge() {}

  /**
   * What a listener enforces on its connections.
   *
   * @param headerTimeout the longest a request's line and headers may take to arrive
   * @param idleTimeout how long a connection may stay idle (nothing received) before it is closed
   * @param connections the most connections open at once
   */
  public record Policy(Duration headerTimeout, Duration idleTimeout, ConnectionLimit connections) {}

  /**
   * Call from the server's connection handler: admits {@code connection} under the policy's connection limit
   * (closing it at once over the limit) and {@link #harden hardens} it. {@code onClose} runs when an admitted
   * connection closes. Returns whether it was admitted.
   */
  public static boolean accept(HttpConnection connection, HttpServerOptions options, Policy policy, Runnable onClose) {
    if (!policy.connections().admit(connection, onClose)) {
      return false;
    }
    harden(connection, options, policy.headerTimeout());
    return true;
  }

  /** Why a request was refused, as the listener should answer it: status and a fixed description. */
  public record Refusal(int status, String description) {}

  /**
   * Replaces Vert.x's request decoder on a new HTTP/1 connection with the strict one (the same limits from
   * {@code options}), which also closes a connection whose request head takes longer than {@code headerTimeout}.
   * Call it from the server's connection handler, before the first request is read. HTTP/2 connections (TLS with
   * ALPN) have no such decoder and are left alone.
   */
  public static void harden(HttpConnection connection, HttpServerOptions options, Duration headerTimeout) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    String name = decoderName(pipeline);
    if (name != null) {
      pipeline.replace(name, name, new StrictRequestDecoder(options, headerTimeout));
    }
  }

  private static @Nullable String decoderName(ChannelPipeline pipeline) {
    for (var entry : pipeline) {
      if (entry.getValue() instanceof HttpRequestDecoder) {
        return entry.getKey();
      }
    }
    return null;
  }

  /** How to answer a request Vert.x handed to the invalid-request handler. */
  public static Refusal refusalOf(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    if (cause instanceof Rejection rejection) {
      return new Refusal(rejection.reason.status, rejection.reason.description);
    }
    if (cause instanceof TooLongHttpLineException) {
      return new Refusal(414, "the request line is too long");
    }
    if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      return new Refusal(431, "the request headers are too large");
    }
    return new Refusal(400, "malformed HTTP request");
  }
}
