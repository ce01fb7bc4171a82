package dev.tokencache.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second floor: Netty's HTTP/1.1 codec without Vert.x above it, answering the token body with the headers
 * tokencache sends, the head encoded per request. What an answer costs below Vert.x's request and response objects.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.tokencache.bench.NettyFixedBodyServer PORT BODY_FILE</pre>
 */
public final class NettyFixedBodyServer {
  private NettyFixedBodyServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    byte[] body = Files.readAllBytes(Path.of(args[1]));
    byte[] head = ("HTTP/1.1 200 OK\r\ncache-control: no-store\r\npragma: no-cache\r\nx-token-cache: HIT\r\n"
        + "content-type: application/json;charset=UTF-8\r\ncontent-length: " + body.length + "\r\nx-request-id: ")
        .getBytes(StandardCharsets.US_ASCII);
    NettyListener.start(port, () -> new SimpleChannelInboundHandler<HttpObject>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg instanceof LastHttpContent) {
          String id = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
          ByteBuf out = ctx.alloc().ioBuffer(head.length + 24 + body.length);
          out.writeBytes(head).writeCharSequence(id, StandardCharsets.US_ASCII);
          out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).writeBytes(body);
          ctx.writeAndFlush(out);
        }
      }
    });
    System.out.println("netty fixed-body server on 127.0.0.1:" + port);
  }
}
