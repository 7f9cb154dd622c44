package io.srproxy.media.rtp;

/**
 * RFC 4733 telephone-event payload: event (1 byte), E|R|volume (1 byte), duration (2 bytes, in
 * timestamp units). Events 0..9 are the digits, 10 = '*', 11 = '#', 12..15 = A..D.
 */
public final class TelephoneEvent {

    public static final int PAYLOAD_LENGTH = 4;

    private TelephoneEvent() {}

    /** The event code of a DTMF character, or -1 when it is not one. */
    public static int code(char digit) {
        if (digit >= '0' && digit <= '9') {
            return digit - '0';
        }
        return switch (Character.toUpperCase(digit)) {
            case '*' -> 10;
            case '#' -> 11;
            case 'A' -> 12;
            case 'B' -> 13;
            case 'C' -> 14;
            case 'D' -> 15;
            default -> -1;
        };
    }

    /** The DTMF character of an event code 0..15, or '?' for other events. */
    public static char digit(int code) {
        if (code >= 0 && code <= 9) {
            return (char) ('0' + code);
        }
        return switch (code) {
            case 10 -> '*';
            case 11 -> '#';
            case 12 -> 'A';
            case 13 -> 'B';
            case 14 -> 'C';
            case 15 -> 'D';
            default -> '?';
        };
    }

    public static void write(byte[] b, int off, int event, boolean end, int volume, int duration) {
        b[off] = (byte) event;
        b[off + 1] = (byte) ((end ? 0x80 : 0) | (volume & 0x3F));
        b[off + 2] = (byte) (duration >>> 8);
        b[off + 3] = (byte) duration;
    }

    public static int event(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    public static boolean end(byte[] b, int off) {
        return (b[off + 1] & 0x80) != 0;
    }

    public static int volume(byte[] b, int off) {
        return b[off + 1] & 0x3F;
    }

    public static int duration(byte[] b, int off) {
        return ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }
}
