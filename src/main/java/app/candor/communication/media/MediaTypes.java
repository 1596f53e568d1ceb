package app.candor.communication.media;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The content types a shared file may have: pictures, sound, video and common documents, the kinds
 * a chat sends. Left out on purpose: anything a browser would run or render as a page (HTML, SVG,
 * JavaScript), archives (which hide what they hold from the spam and abuse checks) and untyped
 * bytes ({@code application/octet-stream}).
 */
public final class MediaTypes {
  private MediaTypes() {}

  private static final Set<String> ALLOWED =
      new TreeSet<>(
          List.of(
              "image/jpeg",
              "image/png",
              "image/gif",
              "image/webp",
              "image/heic",
              "image/heif",
              "image/avif",
              "audio/mpeg",
              "audio/mp4",
              "audio/aac",
              "audio/ogg",
              "audio/opus",
              "audio/wav",
              "audio/webm",
              "audio/amr",
              "video/mp4",
              "video/webm",
              "video/quicktime",
              "video/3gpp",
              "application/pdf",
              "text/plain",
              "text/csv",
              "application/msword",
              "application/vnd.ms-excel",
              "application/vnd.ms-powerpoint",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/vnd.openxmlformats-officedocument.presentationml.presentation",
              "application/vnd.oasis.opendocument.text",
              "application/vnd.oasis.opendocument.spreadsheet",
              "application/vnd.oasis.opendocument.presentation"));

  /** Every allowed type, sorted. */
  public static Set<String> allowed() {
    return java.util.Collections.unmodifiableSet(ALLOWED);
  }

  /**
   * The type as stored: {@code header} without parameters, in lower case, if it is allowed.
   * Parameters ({@code charset}) are dropped: the bytes are served as they were sent.
   */
  public static Optional<String> accepted(String header) {
    int semicolon = header.indexOf(';');
    String type =
        (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    return ALLOWED.contains(type) ? Optional.of(type) : Optional.empty();
  }

  /** A file name extension for the export ({@code .jpg}), or {@code .bin}. */
  static String extension(String type) {
    return switch (type) {
      case "image/jpeg" -> ".jpg";
      case "image/png" -> ".png";
      case "image/gif" -> ".gif";
      case "image/webp" -> ".webp";
      case "image/heic" -> ".heic";
      case "image/heif" -> ".heif";
      case "image/avif" -> ".avif";
      case "audio/mpeg" -> ".mp3";
      case "audio/mp4", "audio/aac" -> ".m4a";
      case "audio/ogg", "audio/opus" -> ".ogg";
      case "audio/wav" -> ".wav";
      case "audio/webm", "video/webm" -> ".webm";
      case "audio/amr" -> ".amr";
      case "video/mp4" -> ".mp4";
      case "video/quicktime" -> ".mov";
      case "video/3gpp" -> ".3gp";
      case "application/pdf" -> ".pdf";
      case "text/plain" -> ".txt";
      case "text/csv" -> ".csv";
      case "application/msword" -> ".doc";
      case "application/vnd.ms-excel" -> ".xls";
      case "application/vnd.ms-powerpoint" -> ".ppt";
      case "application/vnd.openxmlformats-officedocument.wordprocessingml.document" -> ".docx";
      case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" -> ".xlsx";
      case "application/vnd.openxmlformats-officedocument.presentationml.presentation" -> ".pptx";
      case "application/vnd.oasis.opendocument.text" -> ".odt";
      case "application/vnd.oasis.opendocument.spreadsheet" -> ".ods";
      case "application/vnd.oasis.opendocument.presentation" -> ".odp";
      default -> ".bin";
    };
  }
}
