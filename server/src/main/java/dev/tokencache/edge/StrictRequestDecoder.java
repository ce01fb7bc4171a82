package dev.tokencache.edge;

import org.jspecify.annotations.Nullable;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vert.x's HTTP/1 request decoder with the checks an edge needs before anything reads the request. A request that
 * fails one is marked failed with a {@link Rejection}, so that Vert.x hands it to the listener's invalid-request
 * handler ({@link HttpEdge#invalidRequest}) instead of its request handler:
 * <ul>
 *   <li>an HTTP version other than 1.0 and 1.1: Vert.x would answer 501 with the request's own version token in
 *       the status line, which a caller controls;
 *   <li>control bytes (below 0x21, or 0x7f) in the request target: they would reach an upstream request line;
 *   <li>{@code Content-Length} together with {@code Transfer-Encoding} (RFC 9112 §6.1: a proxy rejects it; Netty
 *       would drop {@code Content-Length} and read on, the classic request-smuggling ambiguity);
 *   <li>a {@code Host} that is not a host and optional port (Vert.x's own parser throws on some, such as
 *       {@code x%zz}, leaving the request unanswered).
 * </ul>
 *
 * <p>It also holds the header-read deadline: a request's line and headers must arrive within {@code headerTimeout},
 * counted from the connection's start for its first request and from the first byte of each later one (the wait
 * between keep-alive requests is the idle timeout's business). A connection that misses it is closed: a client
 * trickling a header a byte at a time (slowloris) or connecting and sending nothing cannot hold it.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(StrictRequestDecoder.class);

  private final long headerTimeoutNanos;
  /** Whether a request head is being waited for or read (the deadline runs); false from its end to the next byte. */
  private boolean readingHead = true;
  /** Whether a request's body is being read: bytes now are not a new head. */
  private boolean readingBody;
  private long headStartedNanos = System.nanoTime();
  private @Nullable ScheduledFuture<?> deadline;

  StrictRequestDecoder(HttpServerOptions options, Duration headerTimeout) {
    super(options);
    this.headerTimeoutNanos = headerTimeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    scheduleCheck(ctx, headerTimeoutNanos); // the first request's head is due from the connection's start
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (!readingHead && !readingBody && buffer.isReadable()) {
      readingHead = true;
      headStartedNanos = System.nanoTime();
      if (deadline == null) {
        scheduleCheck(ctx, headerTimeoutNanos);
      }
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    if (out.size() > before && out.get(out.size() - 1) instanceof LastHttpContent) {
      readingBody = false;
    }
  }

  private void scheduleCheck(ChannelHandlerContext ctx, long delayNanos) {
    deadline = ctx.executor().schedule(() -> checkDeadline(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  /** One timer at a time per connection: it re-arms itself only while a head is being read. */
  private void checkDeadline(ChannelHandlerContext ctx) {
    deadline = null;
    if (!readingHead || !ctx.channel().isActive()) {
      return;
    }
    long left = headerTimeoutNanos - (System.nanoTime() - headStartedNanos);
    if (left > 0) {
      scheduleCheck(ctx, left);
      return;
    }
    LOG.debug("closed a connection from {}: no complete request head within {} ms", ctx.channel().remoteAddress(),
        TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos));
    ctx.close();
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
    super.handlerRemoved0(ctx);
  }

  /** A refusal found in the request line, applied once the headers are read (Netty resets an earlier one). */
  private Rejection.@Nullable Reason lineRefused;

  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    String version = initialLine[2];
    if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
      lineRefused = Rejection.Reason.VERSION;
      return super.createMessage(new String[] {initialLine[0], "/", "HTTP/1.1"});
    }
    if (hasControlBytes(initialLine[1])) {
      lineRefused = Rejection.Reason.TARGET;
      return super.createMessage(new String[] {initialLine[0], "/", version});
    }
    lineRefused = null;
    return super.createMessage(initialLine);
  }

  /** Called once the headers are read, before the body: every refusal is marked here. */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    readingHead = false;
    readingBody = true;
    Rejection.Reason refused = lineRefused;
    lineRefused = null;
    if (refused == null && message.decoderResult().isSuccess()) {
      if (message.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
          && message.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
        refused = Rejection.Reason.LENGTH_AND_ENCODING;
      } else if (!HostSyntax.isValid(message.headers().get(HttpHeaderNames.HOST))) {
        refused = Rejection.Reason.HOST;
      }
    }
    if (refused != null) {
      message.setDecoderResult(DecoderResult.failure(new Rejection(refused)));
      // as if the client had asked to close: Vert.x then closes after the answer and drops what was pipelined
      // behind this request (a smuggled second request must never be served)
      message.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return super.isContentAlwaysEmpty(message);
  }

  private static boolean hasControlBytes(String target) {
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c < 0x21 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
