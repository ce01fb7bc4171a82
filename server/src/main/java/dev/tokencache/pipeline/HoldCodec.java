package dev.tokencache.pipeline;

import org.jspecify.annotations.Nullable;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;

/**
 * A key's hold as bytes, for the shared store (which seals them under the client's secret): a format byte, the
 * kind, the failure count, the end of the hold, then what is replayed. Unknown or broken bytes read as no hold.
 */
final class HoldCodec {
  private static final byte FORMAT = 1;
  private static final byte NEGATIVE = 1;
  private static final byte ERROR_ANSWER = 2;
  private static final byte NO_ANSWER = 3;

  private HoldCodec() {}

  static byte[] encode(KeyState.Hold hold, int failures) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      if (hold instanceof KeyState.Hold.Negative negative) {
        out.writeByte(NEGATIVE);
        header(out, failures, hold.until());
        response(out, negative.answer());
      } else if (hold instanceof KeyState.Hold.Backoff backoff
          && backoff.last() instanceof Failure.ErrorAnswer error) {
        out.writeByte(ERROR_ANSWER);
        header(out, failures, hold.until());
        out.writeBoolean(error.throttled());
        response(out, error.response());
      } else if (hold instanceof KeyState.Hold.Backoff backoff && backoff.last() instanceof Failure.NoAnswer none) {
        out.writeByte(NO_ANSWER);
        header(out, failures, hold.until());
        out.writeUTF(none.failure().kind().name());
        out.writeUTF(none.failure().getMessage());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A decoded hold with the failure count it was written with. */
  record Decoded(KeyState.Hold hold, int failures) {}

  static Optional<Decoded> decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readByte() != FORMAT) {
        return Optional.empty();
      }
      byte kind = in.readByte();
      int failures = in.readInt();
      Instant until = Instant.ofEpochSecond(in.readLong(), in.readInt());
      return switch (kind) {
        case NEGATIVE -> Optional.of(new Decoded(new KeyState.Hold.Negative(response(in), until), failures));
        case ERROR_ANSWER -> {
          boolean throttled = in.readBoolean();
          yield Optional.of(new Decoded(
              new KeyState.Hold.Backoff(new Failure.ErrorAnswer(response(in), throttled), until), failures));
        }
        case NO_ANSWER -> {
          UpstreamFailure.Kind failureKind = UpstreamFailure.Kind.valueOf(in.readUTF());
          UpstreamFailure failure = new UpstreamFailure(failureKind, in.readUTF());
          yield Optional.of(new Decoded(new KeyState.Hold.Backoff(new Failure.NoAnswer(failure), until), failures));
        }
        default -> Optional.empty();
      };
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static void header(DataOutputStream out, int failures, Instant until) throws IOException {
    out.writeInt(failures);
    out.writeLong(until.getEpochSecond());
    out.writeInt(until.getNano());
  }

  private static void response(DataOutputStream out, UpstreamResponse response) throws IOException {
    out.writeShort(response.status());
    text(out, response.contentType());
    text(out, response.wwwAuthenticate());
    text(out, response.retryAfter());
    out.writeInt(response.body().length);
    out.write(response.body());
  }

  private static UpstreamResponse response(DataInputStream in) throws IOException {
    int status = in.readShort();
    String contentType = text(in);
    String wwwAuthenticate = text(in);
    String retryAfter = text(in);
    int length = in.readInt();
    if (length < 0 || length > 1024 * 1024) {
      throw new IOException("body length " + length);
    }
    return new UpstreamResponse(status, contentType, wwwAuthenticate, retryAfter, in.readNBytes(length), -1);
  }

  private static void text(DataOutputStream out, @Nullable String value) throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      out.writeUTF(value);
    }
  }

  private static @Nullable String text(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
