package dev.tokencache.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.util.function.Supplier;

/** A Netty HTTP/1.1 listener on 127.0.0.1 with one epoll event loop: the decoder, then one handler per connection. */
final class NettyListener {
  private NettyListener() {}

  /** Binds {@code port}; each connection gets Netty's request decoder and a new handler from {@code handlers}. */
  static void start(int port, Supplier<ChannelHandler> handlers) throws InterruptedException {
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(new HttpRequestDecoder(), handlers.get());
          }
        })
        .bind("127.0.0.1", port).sync();
  }
}
