package io.srproxy.rtc.webrtc;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@link MuxSocket} on Linux's own UDP socket calls (through JNA direct mapping, primitive
 * arguments only, into buffers allocated once per thread): the JDK's DatagramChannel makes a new
 * sender address for every datagram whose sender differs from the previous one, which on a port
 * shared by many browsers is nearly every datagram. Here the sender's raw address is looked up in a
 * per-socket cache keyed by its bytes and port ({@link SenderAddressCache}), so a known sender costs
 * no allocation.
 * Wildcard binds are dual-stack (IPv4 peers arrive as v4-mapped IPv6 and are reported as IPv4),
 * as the JDK's are.
 *
 * <p>Reads take up to {@link #BATCH} queued datagrams per system call (recvmmsg with
 * MSG_WAITFORONE: it blocks for the first only), and {@link #receive} hands them out one by one:
 * under load the peers' packets arrive in bursts, and on a virtual machine the system call itself
 * (entry, exit, re-enabling interrupts) cost more than the copy of a 200-byte packet.
 *
 * <p>For the same reason sends are batched (sendmmsg, up to {@link #SEND_BATCH} per call): the
 * reader's own sends (what its datagrams make: a packet fanned out to every subscriber of a
 * channel, STUN answers) go into {@link #readerBatch()}, sent at the latest just before the reader
 * asks for more datagrams, so none waits while it blocks; an I/O loop that sends here takes a
 * {@link #newSendBatch()} of its own and flushes it before it selects. Other threads send at once
 * ({@link #send}).
 */
final class LinuxUdpSocket implements MuxSocket {

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int SO_REUSEPORT = 15;
    private static final int SO_RCVTIMEO = 20;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int SHUT_RDWR = 2;
    private static final int SOCKADDR = 28; // sockaddr_in6, the larger of the two
    private static final int MSG_WAITFORONE = 0x10000;
    static final int BATCH = 16;
    /** Sends queued by the reader before they go out: a 32-member channel fans a packet out 31 times. */
    static final int SEND_BATCH = 32;
    // struct mmsghdr on x86-64/aarch64 Linux: msghdr (name 0, namelen 8, iov 16, iovlen 24,
    // control 32, controllen 40, flags 48) then msg_len at 56; 64 bytes with padding
    private static final int MMSGHDR = 64;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_LEN = 56;
    private static final int IOVEC = 16;
    private static final int NAME_STRIDE = 32;

    private static final boolean AVAILABLE = load();

    private static boolean load() {
        if (!Platform.isLinux() || !Platform.is64Bit() || Boolean.getBoolean("srproxy.rtc.jdkUdp")) {
            return false;
        }
        try {
            Native.register(LinuxUdpSocket.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError: use the JDK's sockets
            org.slf4j.LoggerFactory.getLogger(LinuxUdpSocket.class).info("native UDP unavailable ({}): using the JDK's", e.toString());
            return false;
        }
    }

    // libc, direct mapped: pointers are passed as addresses in longs
    private static native int socket(int domain, int type, int protocol);

    private static native int setsockopt(int fd, int level, int name, long value, int len);

    private static native int bind(int fd, long addr, int len);

    private static native int getsockname(int fd, long addr, long lenPtr);

    private static native int recvmmsg(int fd, long msgvec, int vlen, int flags, long timeout);

    private static native long sendto(int fd, long buf, long len, int flags, long addr, int addrLen);

    private static native int sendmmsg(int fd, long msgvec, int vlen, int flags);

    private static native int shutdown(int fd, int how);

    private static native int close(int fd);

    /** True when this class can be used here (Linux, 64-bit, libc reachable through JNA). */
    static boolean available() {
        return AVAILABLE;
    }

    private final int fd;
    private final int family;
    private volatile boolean closed;
    private boolean released;
    // the reader's buffers (one thread reads a socket): BATCH slots of data, sender and header
    private final int slotBytes;
    private final ByteBuffer data;
    private final ByteBuffer names;
    private final ByteBuffer headers;
    private final long headersAddr;
    private final ByteBuffer iovecs;
    /** Room for the senders of a busy port: a thousand calls' browsers fill an eighth of it. */
    private final SenderAddressCache senders = new SenderAddressCache(8192);
    private int received; // datagrams the last recvmmsg returned
    private int next;     // the next of them to hand out
    private int length;
    // senders' buffers: any thread may send
    private final ThreadLocal<SendScratch> scratch = ThreadLocal.withInitial(SendScratch::new);
    private final Runnable sendFailed;
    private final Batch readerBatch;

    LinuxUdpSocket(InetSocketAddress bind, boolean reusePort, int bufferBytes, int receiveTimeoutMillis, int maxDatagram)
            throws IOException {
        this(bind, reusePort, bufferBytes, receiveTimeoutMillis, maxDatagram, () -> { });
    }

    /** As above; {@code sendFailed} runs (on the reader) for each queued datagram the kernel refused. */
    LinuxUdpSocket(InetSocketAddress bind, boolean reusePort, int bufferBytes, int receiveTimeoutMillis, int maxDatagram,
                   Runnable sendFailed) throws IOException {
        this.sendFailed = sendFailed;
        InetAddress a = bind.getAddress();
        boolean wildcard = a == null || a.isAnyLocalAddress();
        family = wildcard || a instanceof Inet6Address ? AF_INET6 : AF_INET;
        fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket() failed: errno " + Native.getLastError());
        }
        slotBytes = maxDatagram;
        data = ByteBuffer.allocateDirect(BATCH * maxDatagram);
        names = ByteBuffer.allocateDirect(BATCH * NAME_STRIDE).order(ByteOrder.nativeOrder());
        headers = ByteBuffer.allocateDirect(BATCH * MMSGHDR).order(ByteOrder.nativeOrder());
        headersAddr = address(headers);
        ByteBuffer iovecs = ByteBuffer.allocateDirect(BATCH * IOVEC).order(ByteOrder.nativeOrder());
        long dataAddr = address(data);
        long namesAddr = address(names);
        long iovecsAddr = address(iovecs);
        for (int i = 0; i < BATCH; i++) {
            iovecs.putLong(i * IOVEC, dataAddr + (long) i * maxDatagram).putLong(i * IOVEC + 8, maxDatagram);
            int h = i * MMSGHDR;
            headers.putLong(h, namesAddr + (long) i * NAME_STRIDE)
                    .putLong(h + 16, iovecsAddr + (long) i * IOVEC)
                    .putLong(h + 24, 1); // one iovec; no control data (zeroed)
        }
        this.iovecs = iovecs; // the headers point into it: keep it reachable
        readerBatch = new Batch();
        try {
            ByteBuffer opt = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
            long optAddr = address(opt);
            if (reusePort) {
                opt.putInt(0, 1);
                check(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, optAddr, 4), "SO_REUSEPORT");
            }
            opt.putInt(0, bufferBytes);
            check(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, optAddr, 4), "SO_RCVBUF");
            check(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, optAddr, 4), "SO_SNDBUF");
            if (family == AF_INET6) {
                opt.putInt(0, wildcard ? 0 : 1); // a wildcard bind takes IPv4 too, as the JDK's does
                check(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, optAddr, 4), "IPV6_V6ONLY");
            }
            opt.putLong(0, receiveTimeoutMillis / 1000).putLong(8, (receiveTimeoutMillis % 1000) * 1000L);
            check(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, optAddr, 16), "SO_RCVTIMEO");
            ByteBuffer sa = ByteBuffer.allocateDirect(SOCKADDR).order(ByteOrder.nativeOrder());
            int saLen = encode(sa, wildcard ? null : a, bind.getPort());
            if (bind(fd, address(sa), saLen) != 0) {
                throw new IOException("bind to " + bind + " failed: errno " + Native.getLastError()
                        + (Native.getLastError() == 98 ? " (address in use)" : ""));
            }
        } catch (IOException | RuntimeException e) {
            closed = true;
            release();
            throw e;
        }
    }

    private static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    private static void check(int rc, String what) throws IOException {
        if (rc != 0) {
            throw new IOException("setsockopt " + what + " failed: errno " + Native.getLastError());
        }
    }

    /**
     * Writes a sockaddr for {@code a} (null = wildcard) in this socket's family; returns its length,
     * or -1 for an IPv6 address on an IPv4 socket (no sockaddr can say it).
     */
    private int encode(ByteBuffer sa, InetAddress a, int port) {
        for (int i = 0; i < SOCKADDR; i++) {
            sa.put(i, (byte) 0);
        }
        sa.putShort(0, (short) family);
        sa.put(2, (byte) (port >>> 8)).put(3, (byte) port);
        if (family == AF_INET) {
            if (a instanceof Inet4Address v4) {
                putIpv4(sa, 4, v4);
            } else if (a != null) {
                return -1;
            }
            return 16;
        }
        if (a instanceof Inet4Address v4) {
            sa.put(18, (byte) 0xFF).put(19, (byte) 0xFF); // ::ffff:a.b.c.d
            putIpv4(sa, 20, v4);
        } else if (a != null) {
            sa.put(8, a.getAddress());
            sa.putInt(24, ((Inet6Address) a).getScopeId());
        }
        return SOCKADDR;
    }

    /**
     * Whether an IPv4 address's hash code is its address, as in every OpenJDK: then a destination is
     * encoded without the array {@link InetAddress#getAddress()} copies out. Checked, not assumed.
     */
    private static final boolean IPV4_HASH_IS_ADDRESS = ipv4HashIsAddress();

    private static boolean ipv4HashIsAddress() {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) 201}).hashCode() == 0xC00002C9
                    && InetAddress.getByAddress(new byte[] {127, 0, 0, 1}).hashCode() == 0x7F000001;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void putIpv4(ByteBuffer sa, int at, Inet4Address a) {
        if (IPV4_HASH_IS_ADDRESS) {
            int v = a.hashCode();
            sa.put(at, (byte) (v >>> 24)).put(at + 1, (byte) (v >>> 16)).put(at + 2, (byte) (v >>> 8)).put(at + 3, (byte) v);
        } else {
            sa.put(at, a.getAddress());
        }
    }

    @Override
    public InetSocketAddress receive(byte[] buf, int max) throws IOException {
        if (closed) {
            throw new java.nio.channels.ClosedChannelException();
        }
        if (next == received) {
            readerBatch.flush(); // what the last batch made leaves before this thread may block
            boolean got = receiveBatch();
            if (closed) { // shut down while blocked: recvmmsg may report an empty datagram then
                throw new java.nio.channels.ClosedChannelException();
            }
            if (!got) {
                return null; // the receive timeout (EAGAIN), EINTR, or an ICMP error on the socket
            }
        }
        int slot = next++;
        int len = Math.min(headers.getInt(slot * MMSGHDR + MSG_LEN), Math.min(max, slotBytes));
        data.get(slot * slotBytes, buf, 0, len);
        length = len;
        return sender(slot * NAME_STRIDE);
    }

    /** Blocks for at least one datagram and takes what else is queued, up to {@link #BATCH}. */
    private boolean receiveBatch() {
        for (int i = 0; i < BATCH; i++) {
            headers.putInt(i * MMSGHDR + MSG_NAMELEN, SOCKADDR); // the kernel writes each sender's length back
        }
        int n = recvmmsg(fd, headersAddr, BATCH, MSG_WAITFORONE, 0);
        received = Math.max(n, 0);
        next = 0;
        return n > 0;
    }

    /** The sender whose sockaddr is at {@code at} in {@link #names}, from the cache when seen before. */
    private InetSocketAddress sender(int at) throws IOException {
        int fam = names.getShort(at);
        int port = ((names.get(at + 2) & 0xFF) << 8) | (names.get(at + 3) & 0xFF);
        long hi;
        long lo;
        long tag;
        if (fam == AF_INET) {
            hi = 0;
            lo = names.getInt(at + 4) & 0xFFFFFFFFL;
            tag = port | (4L << 16);
        } else if (fam == AF_INET6) {
            hi = names.getLong(at + 8);
            lo = names.getLong(at + 16);
            int scope = names.getInt(at + 24);
            boolean mapped = hi == 0 && names.getShort(at + 16) == 0 && names.get(at + 18) == -1 && names.get(at + 19) == -1; // ::ffff:a.b.c.d
            if (mapped) {
                hi = 0;
                lo = names.getInt(at + 20) & 0xFFFFFFFFL;
                tag = port | (4L << 16);
            } else {
                tag = port | (6L << 16) | ((long) scope << 32);
            }
        } else {
            return null;
        }
        InetSocketAddress known = senders.get(hi, lo, tag);
        if (known != null) {
            return known;
        }
        InetSocketAddress made = decode(at, tag, port);
        senders.put(hi, lo, tag, made);
        return made;
    }

    /** A new address object for the sender at {@code at} (its first datagram, or after eviction). */
    private InetSocketAddress decode(int at, long tag, int port) throws UnknownHostException {
        byte[] ip;
        if (((tag >>> 16) & 0xFFFF) == 4) {
            ip = new byte[4];
            names.get(at + (names.getShort(at) == AF_INET ? 4 : 20), ip);
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        }
        ip = new byte[16];
        names.get(at + 8, ip);
        int scope = (int) (tag >>> 32);
        InetAddress a = scope == 0 ? InetAddress.getByAddress(ip) : Inet6Address.getByAddress(null, ip, scope);
        return new InetSocketAddress(a, port);
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public void send(ByteBuffer data, InetSocketAddress to) throws IOException {
        SendScratch s = scratch.get();
        int saLen = s.destination(to);
        if (saLen < 0) {
            throw new IOException("cannot send to " + to + " from an IPv4 socket");
        }
        int len = data.remaining();
        long rc = sendto(fd, s.bufferAddress(data) + data.position(), len, 0, s.saAddr, saLen);
        if (rc < 0) {
            throw new IOException("sendto " + to + " failed: errno " + Native.getLastError());
        }
        data.position(data.limit());
    }

    /** The reader's sends (this socket's reader thread only): sent before each of its reads. */
    @Override
    public Batch readerBatch() {
        return readerBatch;
    }

    /** A batch of sends on this socket for one other thread, which flushes it itself. */
    @Override
    public Batch newSendBatch() {
        return new Batch();
    }

    /**
     * Sends queued by one thread: {@link #SEND_BATCH} slots of data, destination and header, all
     * sent in one sendmmsg when full or when flushed.
     */
    final class Batch implements MuxSocket.SendBatch {
        private final ByteBuffer outData = ByteBuffer.allocateDirect(SEND_BATCH * slotBytes);
        private final ByteBuffer outNames = ByteBuffer.allocateDirect(SEND_BATCH * NAME_STRIDE).order(ByteOrder.nativeOrder());
        private final ByteBuffer outHeaders = ByteBuffer.allocateDirect(SEND_BATCH * MMSGHDR).order(ByteOrder.nativeOrder());
        private final ByteBuffer outIovecs = ByteBuffer.allocateDirect(SEND_BATCH * IOVEC).order(ByteOrder.nativeOrder());
        private final long outHeadersAddr = address(outHeaders);
        private int queued;

        private Batch() {
            long dataAddr = address(outData);
            long namesAddr = address(outNames);
            long iovecsAddr = address(outIovecs);
            for (int i = 0; i < SEND_BATCH; i++) {
                outIovecs.putLong(i * IOVEC, dataAddr + (long) i * slotBytes);
                int h = i * MMSGHDR;
                outHeaders.putLong(h, namesAddr + (long) i * NAME_STRIDE)
                        .putLong(h + 16, iovecsAddr + (long) i * IOVEC)
                        .putLong(h + 24, 1); // one iovec; no control data (zeroed)
            }
        }

        /** Copies the datagram into the next slot; a full batch goes out at once. */
        @Override
        public void add(byte[] b, int off, int len, InetSocketAddress to) {
            if (closed || len > slotBytes) {
                sendFailed.run();
                return;
            }
            SendScratch s = scratch.get();
            int saLen = s.destination(to);
            if (saLen < 0) { // an IPv6 peer on an IPv4 socket
                sendFailed.run();
                return;
            }
            int slot = queued;
            outData.put(slot * slotBytes, b, off, len);
            outNames.put(slot * NAME_STRIDE, s.sa, 0, SOCKADDR);
            outIovecs.putLong(slot * IOVEC + 8, len);
            outHeaders.putInt(slot * MMSGHDR + MSG_NAMELEN, saLen);
            if (++queued == SEND_BATCH) {
                flush();
            }
        }

        /** Sends what is queued: one system call while the kernel takes them all. */
        @Override
        public void flush() {
            int from = 0;
            while (from < queued) {
                int n = sendmmsg(fd, outHeadersAddr + (long) from * MMSGHDR, queued - from, 0);
                if (n > 0) {
                    from += n;
                } else { // the datagram at 'from' was refused (an error stops a batch there): drop it, send the rest
                    sendFailed.run();
                    from++;
                }
            }
            queued = 0;
        }

        /** Datagrams queued and not yet sent. */
        int queued() {
            return queued;
        }
    }

    @Override
    public int localPort() throws IOException {
        ByteBuffer sa = ByteBuffer.allocateDirect(SOCKADDR);
        ByteBuffer len = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        len.putInt(0, SOCKADDR);
        if (getsockname(fd, address(sa), address(len)) != 0) {
            throw new IOException("getsockname failed: errno " + Native.getLastError());
        }
        return ((sa.get(2) & 0xFF) << 8) | (sa.get(3) & 0xFF);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdown(fd, SHUT_RDWR); // wakes the reader blocked in recvmmsg; a send now fails
    }

    /** Closes the descriptor once its reader has stopped (so no thread can use a reused number). */
    @Override
    public void release() {
        if (closed && !released) {
            released = true;
            close(fd);
        }
    }

    /**
     * A sending thread's sockaddr buffer and the destinations it encoded ({@link DestinationCache}):
     * a transport keeps one address object for its peer, so a known peer costs no allocation.
     */
    private final class SendScratch {
        private final ByteBuffer sa = ByteBuffer.allocateDirect(SOCKADDR).order(ByteOrder.nativeOrder());
        private final long saAddr = address(sa);
        private final DestinationCache destinations = new DestinationCache(4096, SOCKADDR);
        private ByteBuffer lastBuffer;
        private long lastBufferAddress;

        /** The native address of a direct buffer; a thread sends from one, so it is looked up once. */
        long bufferAddress(ByteBuffer direct) {
            if (direct != lastBuffer) {
                if (!direct.isDirect()) {
                    throw new IllegalArgumentException("native UDP sends need a direct buffer");
                }
                lastBufferAddress = address(direct);
                lastBuffer = direct;
            }
            return lastBufferAddress;
        }

        /** Puts {@code to}'s sockaddr in {@link #sa}; returns its length (-1: see {@link #encode}). */
        int destination(InetSocketAddress to) {
            DestinationCache c = destinations;
            int i = c.find(to);
            if (i < 0) {
                i = c.claim(to);
                c.setLength(i, encode(sa, to.getAddress(), to.getPort()));
                sa.get(0, c.bytes(), c.offset(i), SOCKADDR);
                return c.length(i);
            }
            sa.put(0, c.bytes(), c.offset(i), SOCKADDR);
            return c.length(i);
        }
    }
}
