package dev.tokencache.bench;

import dev.tokencache.cache.CacheResult;
import dev.tokencache.cache.MemoryStore;
import dev.tokencache.config.RawConfig;
import dev.tokencache.config.Settings;
import dev.tokencache.config.SettingsParser;
import dev.tokencache.http.RequestObserver;
import dev.tokencache.http.RequestRecord;
import dev.tokencache.observability.Observability;
import dev.tokencache.pipeline.Answer;
import dev.tokencache.pipeline.TokenPipeline;
import dev.tokencache.request.ParsedRequest;
import dev.tokencache.request.TokenRequestParser;
import dev.tokencache.token.CacheKeyDeriver;
import dev.tokencache.token.TokenRequest;
import dev.tokencache.upstream.Upstream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A measuring spike, not a server to run: tokencache's own work on a cache hit (parse, HMAC key, pipeline lookup,
 * render, metrics and the access log to stdout, all the product's classes) on Netty's HTTP decoder without Vert.x. It answers
 * only the hit; everything a real listener does besides (errors, misses, limits, timeouts, drain, TLS) is missing.
 * Its CPU per request is the floor of any rewrite of tokencache's HTTP layer: what the hit would cost if Vert.x's
 * request and response objects cost nothing.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.tokencache.bench.NettyTokenServer PORT BODY_FILE &gt; access.log</pre>
 */
public final class NettyTokenServer {
  private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\ncache-control: no-store\r\npragma: no-cache\r\n"
      + "x-token-cache: HIT\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: ")
      .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NOT_FOUND = "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
      .getBytes(StandardCharsets.US_ASCII);

  private NettyTokenServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    byte[] tokenBody = Files.readAllBytes(Path.of(args[1]));
    Settings settings = SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of(
        "upstream.token-url", "http://127.0.0.1/oauth2/token")));
    InstantSource clock = InstantSource.system();
    Upstream upstream = new FixedUpstream(URI.create("http://127.0.0.1/oauth2/token"), tokenBody);
    TokenPipeline pipeline = new TokenPipeline(settings, upstream,
        new MemoryStore(settings.cache().maxEntries(), settings.cache().maxMemoryBytes(),
            settings.cache().maxKeysPerClient(), clock), Optional.empty(), null, clock,
        () -> ThreadLocalRandom.current().nextDouble());
    byte[] keySecret = new byte[32];
    new java.security.SecureRandom().nextBytes(keySecret);
    CacheKeyDeriver keys = new CacheKeyDeriver(keySecret, upstream.tokenUrl().toString());
    RequestObserver observer = Observability.create(settings.log(), System.out).requests();

    NettyListener.start(port, () -> new Hit(pipeline, keys, observer, clock));
    System.err.println("netty token server on 127.0.0.1:" + port);
  }

  /** One connection: the request head, then its body, then the hit answered in one buffer. */
  private static final class Hit extends SimpleChannelInboundHandler<HttpObject> {
    private final TokenPipeline pipeline;
    private final CacheKeyDeriver keys;
    private final RequestObserver observer;
    private final InstantSource clock;
    private HttpRequest head;
    private final StringBuilder body = new StringBuilder();
    private long started;
    private Instant arrived;

    Hit(TokenPipeline pipeline, CacheKeyDeriver keys, RequestObserver observer, InstantSource clock) {
      this.pipeline = pipeline;
      this.keys = keys;
      this.observer = observer;
      this.clock = clock;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest request) {
        head = request;
        body.setLength(0);
        started = System.nanoTime();
        arrived = clock.instant();
      }
      if (msg instanceof HttpContent content) {
        body.append(content.content().toString(StandardCharsets.UTF_8));
      }
      if (msg instanceof LastHttpContent) {
        answer(ctx);
      }
    }

    private void answer(ChannelHandlerContext ctx) {
      String uri = head.uri();
      int q = uri.indexOf('?');
      String path = q < 0 ? uri : uri.substring(0, q);
      if (!path.equals("/oauth2/token")) { // the readiness probe of bench/load.sh: nothing else is served
        ctx.writeAndFlush(ctx.alloc().ioBuffer().writeBytes(NOT_FOUND));
        return;
      }
      TokenRequest request = ((ParsedRequest.ClientCredentialsGrant) TokenRequestParser.parse(
          head.headers().get(HttpHeaderNames.AUTHORIZATION), q < 0 ? null : uri.substring(q + 1), body.toString()))
          .request();
      Answer.Token token = (Answer.Token) pipeline.token(keys.keyFor(request), request, false).result();
      byte[] rendered = token.token().render(arrived);
      String requestId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
      String remote = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
      observer.completed(new RequestRecord(arrived, requestId, remote, head.method().name(), path, "default", 200,
          CacheResult.HIT, false, System.nanoTime() - started, -1, request.credentials().clientId(),
          request.scopes()));
      ByteBuf out = ctx.alloc().ioBuffer(HEAD.length + 64 + rendered.length);
      out.writeBytes(HEAD).writeCharSequence(Integer.toString(rendered.length), StandardCharsets.US_ASCII);
      out.writeCharSequence("\r\nx-request-id: ", StandardCharsets.US_ASCII);
      out.writeCharSequence(requestId, StandardCharsets.US_ASCII);
      out.writeCharSequence("\r\n\r\n", StandardCharsets.US_ASCII);
      out.writeBytes(rendered);
      ctx.writeAndFlush(out);
    }
  }
}
