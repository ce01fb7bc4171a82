package dev.tokencache.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM floor of the load benchmark: a bare Vert.x HTTP server on one event loop that reads the request body and
 * answers a fixed token response, with the headers tokencache sends, on the same transport (epoll) and in the same
 * strict thread mode as tokencache's listener. Whatever tokencache costs beyond this is its
 * own work (parsing, key, lookup, render, metrics, access log).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.tokencache.bench.FixedBodyServer PORT BODY_FILE</pre>
 */
public final class FixedBodyServer {
  private FixedBodyServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Buffer body = Buffer.buffer(Files.readAllBytes(Path.of(args[1])));
    CharSequence json = HttpHeaders.createOptimized("application/json;charset=UTF-8");
    CharSequence noStore = HttpHeaders.createOptimized("no-store");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
    vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setStrictThreadMode(true))
        .requestHandler(request -> request.body().onSuccess(ignored -> request.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, json)
            .putHeader(HttpHeaders.CACHE_CONTROL, noStore)
            .end(body)))
        .listen()
        .await();
    System.out.println("fixed-body server on 127.0.0.1:" + port);
  }
}
