package io.srproxy.rtc.webrtc;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * A reusable view of a packet in a caller's array, as jitsi-srtp wants it. The array must have
 * room for the SRTP trailer after the packet; one instance per thread, so nothing is allocated.
 */
final class PacketBuffer implements ByteArrayBuffer {

    private byte[] buf;
    private int off;
    private int len;

    PacketBuffer wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    @Override
    public byte[] getBuffer() {
        return buf;
    }

    @Override
    public int getOffset() {
        return off;
    }

    @Override
    public int getLength() {
        return len;
    }

    @Override
    public void setLength(int len) {
        this.len = len;
    }

    @Override
    public void setOffset(int off) {
        this.off = off;
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int regionOff, int regionLen, byte[] out) {
        System.arraycopy(buf, off + regionOff, out, 0, regionLen);
    }

    @Override
    public void grow(int howMuch) {
        if (off + len + howMuch > buf.length) {
            throw new IllegalStateException("packet buffer has no room for " + howMuch + " more bytes");
        }
    }

    @Override
    public void append(byte[] data, int n) {
        grow(n);
        System.arraycopy(data, 0, buf, off + len, n);
        len += n;
    }

    @Override
    public void shrink(int n) {
        len = Math.max(0, len - n);
    }
}
