package io.srproxy.sip;

import java.nio.charset.StandardCharsets;

/**
 * Follows the SIP message framing of one TCP stream the way JAIN-SIP's NIO parser does (header
 * lines up to an empty line, then {@code Content-Length} bytes of body) and refuses, before the
 * parser sees them, the bytes that would make it hold more than the limit: that parser allocates
 * the whole body as soon as it has read the headers, so a {@code Content-Length: 100000000} that
 * then stalls would pin 100 MB per connection. Header blocks are held to the same limit.
 * One per connection; called from the selector thread only.
 */
final class SipStreamSizeCheck {

    /** The stream asked for more than the limit; the connection is to be closed. */
    static final class TooLarge extends RuntimeException {
        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final int LINE_PREFIX = 64; // enough of a line to read a Content-Length header

    private final int maxMessageSize;
    private final byte[] line = new byte[LINE_PREFIX];
    private int lineLength;           // bytes of the current line kept (CR dropped, as the parser does)
    private boolean lineStartedWithCr;
    private boolean inBody;
    private long bodyLeft;
    private long headerBytes;         // of the current message's header block
    private boolean sawHeaderLine;    // blank lines before a message are keepalives, not an end of headers
    private long contentLength;

    SipStreamSizeCheck(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** Follows {@code bytes}; throws {@link TooLarge} when they would exceed the limit. */
    void check(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            if (inBody) {
                long take = Math.min(bodyLeft, bytes.length - i);
                bodyLeft -= take;
                i += (int) take;
                if (bodyLeft == 0) {
                    inBody = false;
                }
                continue;
            }
            byte b = bytes[i++];
            if (++headerBytes > maxMessageSize) {
                throw new TooLarge("SIP header block over " + maxMessageSize + " bytes");
            }
            if (b == '\r') {
                if (lineLength == 0) {
                    lineStartedWithCr = true;
                }
                continue;
            }
            if (b != '\n') {
                if (lineLength < LINE_PREFIX) {
                    line[lineLength] = b;
                }
                lineLength++;
                continue;
            }
            endOfLine();
        }
    }

    private void endOfLine() {
        boolean blank = lineLength == 0 && lineStartedWithCr;
        if (!blank) {
            sawHeaderLine = true;
            readContentLength();
        } else if (sawHeaderLine) {
            if (contentLength > maxMessageSize) {
                throw new TooLarge("Content-Length " + contentLength + " over " + maxMessageSize + " bytes");
            }
            inBody = contentLength > 0;
            bodyLeft = contentLength;
            contentLength = 0;
            headerBytes = 0;
            sawHeaderLine = false;
        } else {
            headerBytes = 0; // a keepalive CRLF between messages
        }
        lineLength = 0;
        lineStartedWithCr = false;
    }

    /** As the parser: a line starting with "content-length" (any case) sets the body length. */
    private void readContentLength() {
        int n = Math.min(lineLength, LINE_PREFIX);
        if (n < CONTENT_LENGTH.length) {
            return;
        }
        for (int k = 0; k < CONTENT_LENGTH.length; k++) {
            if (Character.toLowerCase(line[k]) != CONTENT_LENGTH[k]) {
                return;
            }
        }
        long value = 0;
        boolean digits = false;
        for (int k = CONTENT_LENGTH.length; k < n; k++) {
            byte c = line[k];
            if (c >= '0' && c <= '9') {
                digits = true;
                value = Math.min(value * 10 + (c - '0'), Integer.MAX_VALUE + 1L);
            }
        }
        if (lineLength > LINE_PREFIX && digits && line[LINE_PREFIX - 1] >= '0' && line[LINE_PREFIX - 1] <= '9') {
            value = Integer.MAX_VALUE + 1L; // digits run past what we kept: certainly too large
        }
        if (digits) {
            contentLength = value;
        }
        if (contentLength > maxMessageSize) {
            throw new TooLarge("Content-Length " + contentLength + " over " + maxMessageSize + " bytes");
        }
    }
}
