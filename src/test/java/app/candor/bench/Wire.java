package app.candor.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * How {@link LoopClient}'s two protocols frame an answer to one request: where it ends in the bytes
 * read so far, whether it is a failure, and what it says.
 */
final class Wire {
  private Wire() {}

  /** The HTTP/1.1 answers of one request each: where they end, their status, their body. */
  static final class Http {
    private Http() {}

    /** The end of a complete answer in {@code b[0, n)}, or -1 while it is incomplete. */
    static int end(byte[] b, int n) {
      int head = indexOf(b, 0, n, "\r\n\r\n");
      if (head < 0) {
        return -1;
      }
      String headers = new String(b, 0, head, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
      int bodyStart = head + 4;
      int cl = headers.indexOf("\r\ncontent-length:");
      if (cl >= 0) {
        int eol = headers.indexOf("\r\n", cl + 2);
        int length =
            Integer.parseInt(headers.substring(cl + 17, eol < 0 ? headers.length() : eol).trim());
        return n >= bodyStart + length ? bodyStart + length : -1;
      }
      if (headers.contains("\r\ntransfer-encoding: chunked")) {
        int p = bodyStart;
        while (true) {
          int eol = indexOf(b, p, n, "\r\n");
          if (eol < 0) {
            return -1;
          }
          String size = new String(b, p, eol - p, StandardCharsets.ISO_8859_1);
          int semi = size.indexOf(';');
          int chunk = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
          if (chunk == 0) {
            return n >= eol + 4 ? eol + 4 : -1;
          }
          p = eol + 2 + chunk + 2;
          if (p > n) {
            return -1;
          }
        }
      }
      return bodyStart; // no body (204, 304)
    }

    /** Null for 2xx, else "HTTP 404" and the like. */
    static String failure(byte[] b) {
      char first = (char) b[9];
      return first == '2' ? null : "HTTP " + new String(b, 9, 3, StandardCharsets.ISO_8859_1);
    }

    static byte[] body(byte[] b, int end) {
      int head = indexOf(b, 0, end, "\r\n\r\n");
      String headers = new String(b, 0, head, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
      if (!headers.contains("\r\ntransfer-encoding: chunked")) {
        return Arrays.copyOfRange(b, head + 4, end);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int p = head + 4;
      while (true) {
        int eol = indexOf(b, p, end, "\r\n");
        String size = new String(b, p, eol - p, StandardCharsets.ISO_8859_1);
        int semi = size.indexOf(';');
        int chunk = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (chunk == 0) {
          return out.toByteArray();
        }
        out.write(b, eol + 2, chunk);
        p = eol + 2 + chunk + 2;
      }
    }

    static int indexOf(byte[] b, int from, int n, String what) {
      byte[] w = what.getBytes(StandardCharsets.ISO_8859_1);
      outer:
      for (int i = from; i <= n - w.length; i++) {
        for (int j = 0; j < w.length; j++) {
          if (b[i + j] != w[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }

  /** Redis protocol replies: where one ends, and whether it is an error. */
  static final class Resp {
    private Resp() {}

    /** The end of the complete reply starting at {@code p} in {@code b[0, n)}, or -1. */
    static int end(byte[] b, int p, int n) {
      if (p >= n) {
        return -1;
      }
      int eol = Http.indexOf(b, p + 1, n, "\r\n");
      if (eol < 0) {
        return -1;
      }
      switch (b[p]) {
        case '+', '-', ':' -> {
          return eol + 2;
        }
        case '$' -> {
          int length =
              Integer.parseInt(new String(b, p + 1, eol - p - 1, StandardCharsets.US_ASCII));
          int end = length < 0 ? eol + 2 : eol + 2 + length + 2;
          return end <= n ? end : -1;
        }
        case '*' -> {
          int count =
              Integer.parseInt(new String(b, p + 1, eol - p - 1, StandardCharsets.US_ASCII));
          int q = eol + 2;
          for (int i = 0; i < count; i++) {
            q = end(b, q, n);
            if (q < 0) {
              return -1;
            }
          }
          return q;
        }
        default -> throw new IllegalStateException("not a RESP reply: " + (char) b[p]);
      }
    }

    /** Null unless an error reply, else its first word ("ERR", "WRONGTYPE"). */
    static String failure(byte[] b) {
      if (b[0] != '-') {
        return null;
      }
      int eol = Http.indexOf(b, 1, b.length, "\r\n");
      String message = new String(b, 1, Math.max(0, eol - 1), StandardCharsets.US_ASCII);
      int space = message.indexOf(' ');
      return "Redis " + (space < 0 ? message : message.substring(0, space));
    }

    /** The number of items of an array reply ({@code *N}). */
    static long arrayLength(byte[] b) {
      int eol = Http.indexOf(b, 1, b.length, "\r\n");
      return b[0] == '*' ? Long.parseLong(new String(b, 1, eol - 1, StandardCharsets.US_ASCII)) : 0;
    }

    /** A command as an array of bulk strings. */
    static byte[] command(String... args) {
      StringBuilder sb = new StringBuilder(64 + 16 * args.length);
      sb.append('*').append(args.length).append("\r\n");
      for (String a : args) {
        sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
      }
      return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
  }
}
