package app.candor.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal blocking HTTP/1.1 client over one keep-alive connection: the load generator shares two
 * cores with the server, so it must cost as little CPU per request as possible. Handles
 * Content-Length and chunked responses, and reconnects when the server closes the connection.
 */
final class MiniHttp implements Closeable {

  /** A response: status, the Retry-After header (seconds, or -1) and the body. */
  record Response(int status, int retryAfter, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final String host;
  private final int port;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  MiniHttp(String host, int port) {
    this.host = host;
    this.port = port;
  }

  Response send(String method, String path, String token, byte[] body) throws IOException {
    return send(method, path, token, body, new String[0]);
  }

  /** With more request headers, as name/value pairs. */
  Response send(String method, String path, String token, byte[] body, String... headers)
      throws IOException {
    for (int attempt = 0; ; attempt++) {
      boolean fresh = socket == null;
      try {
        if (socket == null) {
          connect();
        }
        writeRequest(method, path, token, body, headers);
        return readResponse();
      } catch (IOException e) {
        close();
        // A kept-alive connection the server closed meanwhile: retry once on a new one.
        if (fresh || attempt > 0) {
          throw e;
        }
      }
    }
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 10_000);
    socket.setSoTimeout(120_000);
    out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
  }

  private void writeRequest(
      String method, String path, String token, byte[] body, String... headers) throws IOException {
    StringBuilder head = new StringBuilder(256);
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(host).append(':').append(port).append("\r\n");
    if (token != null) {
      head.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Type: application/json\r\n");
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      out.write(body);
    }
    out.flush();
  }

  private Response readResponse() throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean closeAfter = false;
    int retryAfter = -1;
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> closeAfter = value.equalsIgnoreCase("close");
        case "retry-after" -> {
          try {
            retryAfter = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            retryAfter = 1;
          }
        }
        default -> {}
      }
    }
    byte[] body;
    if (chunked) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (true) {
        String size = line();
        int semi = size.indexOf(';');
        int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          break;
        }
        all.write(exactly(n));
        line();
      }
      body = all.toByteArray();
    } else if (length >= 0) {
      body = exactly((int) length);
    } else {
      body = in.readAllBytes();
      closeAfter = true;
    }
    if (closeAfter) {
      close();
    }
    return new Response(code, retryAfter, body);
  }

  private byte[] exactly(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new EOFException("the connection closed mid-body");
    }
    return b;
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("the connection closed");
      }
      if (c == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return sb.toString();
      }
      sb.append((char) c);
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing anyway.
      }
    }
    socket = null;
    out = null;
    in = null;
  }
}
